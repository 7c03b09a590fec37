// Bytes per minute the kube source spends on metrics.k8s.io at a given pod count: the size of one
// PodMetrics list from KubeSim with that many pods, and the poll interval the source's MetricsPoller
// picks for it (at least 15 s, stretched to the byte budget).
import { KubeSim } from '../../src/sim/kube/index.js';
import { MetricsPoller, METRICS_BUDGET_BYTES_PER_MIN } from '../../src/sources/kube/metrics.js';

export async function kubeMetricsBytes(pods: number): Promise<{ listBytes: number; intervalMs: number; bytesPerMin: number; before5sBytesPerMin: number }> {
  const sim = new KubeSim({ speed: 1, seed: 1 });
  await sim.start();
  try {
    const per = 100;
    for (let i = 0; i * per < pods; i++) sim.addDeployment({ namespace: 'prod', name: `svc-${i}`, image: 'shop/api:1.0', replicas: Math.min(per, pods - i * per) });
    const res = await fetch(`${sim.url}/apis/metrics.k8s.io/v1beta1/namespaces/prod/pods`, { headers: { authorization: `Bearer ${sim.token()}` } });
    const listBytes = Buffer.byteLength(await res.text());
    const poller = new MetricsPoller({ fetch: async () => ({ body: {}, bytes: 0 }), scope: () => ({ namespaces: ['prod'] }), onResult: () => {} });
    const intervalMs = poller.delayAfter(listBytes, true);
    return { listBytes, intervalMs, bytesPerMin: (listBytes * 60_000) / intervalMs, before5sBytesPerMin: listBytes * 12 };
  } finally {
    await sim.stop();
  }
}

export { METRICS_BUDGET_BYTES_PER_MIN };
