// Creates and starts one source per configured backend, and hands back the services the actions
// act through. Imported after the first frame: this is where the heavy clients load.
import type { Config } from '../config/schema.js';
import type { Cockpit } from '../store/store.js';
import type { ActionServices } from '../actions/types.js';
import type { CockpitServices } from '../ui/controller.js';
import type { Source } from './types.js';
import { KubeSource } from './kube/source.js';
import { PrometheusSource } from './prometheus/source.js';
import { PostgresSource } from './postgres/source.js';
import { RedisSource } from './redis/source.js';

export interface StartSourcesOptions {
  config: Config;
  cockpit: Cockpit;
  log: (msg: string) => void;
  /** Shows a message on screen (rollout progress, a namespace switch that failed). */
  notify: (msg: string, level: 'info' | 'error') => void;
  /** The clock Prometheus data is stamped with (the drill's simulated clock). */
  now?: () => number;
  /** Called with the kube context whenever it is first known or changes. */
  onContext(context: string | null): void;
}

export async function startSources(o: StartSourcesOptions): Promise<{ sources: Source[]; services: ActionServices; kube?: NonNullable<CockpitServices['kube']> }> {
  const { config, cockpit } = o;
  const sources: Source[] = [];
  const services: ActionServices = {};
  let kubeServices: NonNullable<CockpitServices['kube']> | undefined;

  if (config.kube.enabled) {
    const kube = new KubeSource(
      {
        kubeconfig: config.kube.kubeconfig,
        context: config.kube.context,
        namespaces: config.kube.namespaces,
        allNamespaces: config.kube.allNamespaces,
        labelSelector: config.kube.labelSelector,
        timeoutSeconds: config.kube.requestTimeoutSeconds,
        refreshSeconds: config.ui.refreshSeconds,
      },
      cockpit.publisher('kube'),
      { log: o.log },
    );
    sources.push(kube);
    services.kube = kube.operations();
    services.progress = (msg: string) => o.notify(msg, 'info');
    let lastContext: string | null | undefined;
    cockpit.onFlush((s) => {
      if (s.kube.data.context !== lastContext) {
        lastContext = s.kube.data.context;
        o.onContext(lastContext);
      }
    });
    const service = kube.cockpitService();
    kubeServices = { ...service, setNamespaces: (ns) => void kube.setNamespaces(ns).catch((e) => o.notify(`namespaces: ${(e as Error).message}`, 'error')) };
  } else {
    o.onContext(null);
  }

  if (config.prometheus) {
    const prom = new PrometheusSource(config.prometheus, config.severity, config.ui.refreshSeconds, cockpit.publisher('prom'), {
      log: o.log,
      now: o.now,
      maxResponseBytes: config.limits.maxResponseMiB * 1024 * 1024,
      kube: { kubeconfig: config.kube.kubeconfig, context: config.kube.context },
    });
    sources.push(prom);
    services.alertmanager = prom.client;
  }
  if (config.postgres.length) {
    const pg = new PostgresSource(config.postgres, config.ui.refreshSeconds, cockpit.publisher('postgres'), { log: o.log });
    sources.push(pg);
    services.postgres = pg;
  }
  if (config.redis.length) sources.push(new RedisSource(config.redis, config.ui.refreshSeconds, cockpit.publisher('redis'), { log: o.log }));

  // All at once: no source waits for another to connect.
  await Promise.all(
    sources.map(async (s) => {
      try {
        await s.start();
      } catch (e) {
        o.log(`source failed to start: ${(e as Error).message}`);
      }
    }),
  );
  return { sources, services, kube: kubeServices };
}
