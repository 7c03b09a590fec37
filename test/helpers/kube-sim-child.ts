// A Kubernetes API simulator in its own process, so a test can SIGSTOP and SIGCONT it as one
// would a hung API server. Usage: node --import tsx kube-sim-child.ts <kubeconfig-out> [bookmarkMs]
// Prints "READY <port>" on stdout once the kubeconfig is written; exits on SIGTERM or stdin end.
import fs from 'node:fs';
import { KubeSim } from '../../src/sim/kube/index.js';

const out = process.argv[2];
if (!out) throw new Error('usage: kube-sim-child.ts <kubeconfig-out> [bookmarkMs]');
const sim = new KubeSim({ speed: 20, seed: 11, bookmarkIntervalMs: Number(process.argv[3] ?? 1000) });
await sim.start({ host: '127.0.0.1' });
sim.addNamespace('prod');
sim.setImageBehavior('shop/api:1.0', { startup: 'ok', readyDelaySeconds: 1 });
sim.addDeployment({ namespace: 'prod', name: 'api', image: 'shop/api:1.0', replicas: 3 });
fs.writeFileSync(out, sim.kubeconfig({ context: 'sim', namespace: 'prod' }));
process.stdout.write(`READY ${new URL(sim.url).port}\n`);
const quit = () => void sim.stop().then(() => process.exit(0));
process.on('SIGTERM', quit);
process.stdin.on('end', quit);
process.stdin.resume();
