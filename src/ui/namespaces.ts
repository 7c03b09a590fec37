// The namespaces a person types (`:ns shop,payments`, the N dialog): their shape, and whether
// the cluster has them, so a typo is refused instead of a cockpit of "not found" panes.
import type { CockpitServices } from './controller.js';

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Names from "shop, payments" (commas or spaces); `*` or `all` means every namespace. */
export function parseNamespaces(text: string): { all: boolean; names: string[] } {
  const names = text.split(/[\s,]+/).filter(Boolean);
  return { all: names.includes('*') || names.includes('all'), names };
}

/** Why these names cannot be watched (shape first), or null. */
export function namespaceShapeProblem(names: string[]): string | null {
  const bad = names.find((n) => n !== '*' && n !== 'all' && !NAMESPACE.test(n));
  return bad === undefined ? null : `"${bad}" is not a namespace name (lowercase letters, digits and -)`;
}

/** Asks the API server; names it says it does not have are refused. A 403 or no answer does not block. */
export async function missingNamespaceProblem(kube: NonNullable<CockpitServices['kube']>, names: string[]): Promise<string | null> {
  const missing = (await kube.missingNamespaces?.(names).catch(() => [])) ?? [];
  if (!missing.length) return null;
  const ctx = kube.currentContext();
  return `no namespace ${missing.map((n) => `"${n}"`).join(', ')} in ${ctx ? `context ${ctx}` : 'the cluster'}`;
}

/** What the footer says once the namespaces are watched. */
export function watchingMessage(all: boolean, names: string[]): string {
  return all ? 'Watching every namespace' : `Watching namespace${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
}
