// Where a cockpit runs, for scoping incidents: the kube context it will use (the config's, else the
// kubeconfig's current-context, read cheaply before the Kubernetes client loads) and the config's
// identity. An incident declared elsewhere is not resumed here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { Config } from '../config/schema.js';
import { environmentId } from './journal.js';

/** The context name the kube source will use, or null (disabled, in-cluster, unreadable). */
export function kubeContextOf(config: Pick<Config, 'kube'>, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!config.kube.enabled) return null;
  if (config.kube.context) return config.kube.context;
  const file = config.kube.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter).find(Boolean) ?? path.join(os.homedir(), '.kube', 'config');
  try {
    const doc = parse(fs.readFileSync(file, 'utf8')) as { 'current-context'?: unknown } | null;
    return typeof doc?.['current-context'] === 'string' ? doc['current-context'] : null;
  } catch {
    return null;
  }
}

export function environmentOf(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  return environmentId(config, kubeContextOf(config, env));
}
