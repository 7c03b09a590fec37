// A free port on the loopback interface, for the simulators and the test harness.
import http from 'node:http';
import net from 'node:net';

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** An HTTP server listening on 127.0.0.1 (`port` 0: any free one); rejects when the port is taken. */
export async function listenLoopback(handler: http.RequestListener, port = 0): Promise<{ server: http.Server; port: number; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as net.AddressInfo).port;
  return { server, port: bound, url: `http://127.0.0.1:${bound}` };
}

/** Closes a simulator's server now: open connections (watches, hung requests) are cut, not waited for. */
export async function closeNow(server: http.Server | null): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
