// Creates and starts one source per configured backend, and registers the actions each
// backend offers. Imported after the first frame: this is where the heavy clients load.
import type { Config } from '../config/schema.js';
import type { Cockpit } from '../store/store.js';
import type { ActionEnv } from '../actions/types.js';
import type { ActionRunner } from '../actions/runner.js';
import type { CockpitServices } from '../ui/controller.js';
import type { Source } from './types.js';
import { KubeSource } from './kube/source.js';
import { PrometheusSource } from './prometheus/source.js';
import { PostgresSource } from './postgres/source.js';
import { RedisSource } from './redis/source.js';
import { kubeActions, KUBE_SERVICE, PROGRESS_SERVICE } from '../actions/kube.js';
import { silenceAction, ALERTMANAGER_SERVICE } from '../actions/silence.js';
import { postgresActions, POSTGRES_SERVICE } from '../actions/postgres.js';
import { notify } from '../ui/dialogs/dialogs.js';

export interface StartSourcesOptions {
  config: Config;
  cockpit: Cockpit;
  env: ActionEnv;
  runner: ActionRunner;
  log: (msg: string) => void;
  /** The clock Prometheus data is stamped with (the drill's simulated clock). */
  now?: () => number;
  /** Called with the kube context whenever it is first known or changes. */
  onContext(context: string | null): void;
}

export async function startSources(o: StartSourcesOptions): Promise<{ sources: Source[]; kube?: NonNullable<CockpitServices['kube']> }> {
  const { config, cockpit } = o;
  const sources: Source[] = [];
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
    o.env.services[KUBE_SERVICE] = kube.operations();
    o.env.services[PROGRESS_SERVICE] = (msg: string) => notify(cockpit, msg, 'info');
    o.runner.register(...kubeActions);
    let lastContext: string | null | undefined;
    cockpit.onFlush((s) => {
      if (s.kube.data.context !== lastContext) {
        lastContext = s.kube.data.context;
        o.onContext(lastContext);
      }
    });
    const service = kube.cockpitService();
    kubeServices = { ...service, setNamespaces: (ns) => void kube.setNamespaces(ns).catch((e) => notify(cockpit, `namespaces: ${(e as Error).message}`, 'error')) };
  } else {
    o.onContext(null);
  }

  if (config.prometheus) {
    const prom = new PrometheusSource(config.prometheus, config.severity, config.ui.refreshSeconds, cockpit.publisher('prom'), {
      log: o.log,
      now: o.now,
      maxResponseBytes: config.limits.maxResponseMiB * 1024 * 1024,
    });
    sources.push(prom);
    o.env.services[ALERTMANAGER_SERVICE] = prom.client;
    o.runner.register(silenceAction);
  }
  if (config.postgres.length) {
    const pg = new PostgresSource(config.postgres, config.ui.refreshSeconds, cockpit.publisher('postgres'), { log: o.log });
    sources.push(pg);
    o.env.services[POSTGRES_SERVICE] = pg;
    o.runner.register(...postgresActions);
  }
  if (config.redis.length) sources.push(new RedisSource(config.redis, config.ui.refreshSeconds, cockpit.publisher('redis'), { log: o.log }));

  for (const s of sources) {
    try {
      await s.start();
    } catch (e) {
      o.log(`source failed to start: ${(e as Error).message}`);
    }
  }
  return { sources, kube: kubeServices };
}
