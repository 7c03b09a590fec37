// Child process for test/integration/shared-state.test.ts: a cockpit's outbox on STATE_DIR that
// delivers to HOOK_URL; prints "ready" once it holds the delivery lock, then runs until killed.
import { Outbox } from '../../src/incident/outbox.js';
import { webhookSink } from '../../src/incident/sinks.js';

const ob = new Outbox({ stateDir: process.env.STATE_DIR!, sinks: [webhookSink({ url: process.env.HOOK_URL! }, { timeoutMs: 1000 })], minIntervalMs: 0, followMs: 50 });
ob.start();
const wait = setInterval(() => {
  if (!ob.deliverer().self) return;
  clearInterval(wait);
  process.stdout.write('ready\n');
}, 20);
setInterval(() => {}, 1 << 30);
