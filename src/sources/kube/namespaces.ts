// Whether namespaces exist before the cockpit watches them: `:ns nope` is refused, instead of a
// screen of "not found" that reads like an outage.
import type { KubeClients } from './client.js';

/** The names the API server says do not exist (404); a name it will not tell about (403, no answer) is not counted. */
export async function missingNamespaces(c: KubeClients, names: string[], timeoutMs = 3000): Promise<string[]> {
  const missing = await Promise.all(
    names.map(async (name) => {
      try {
        await c.core.readNamespace({ name }, c.opts({ timeoutMs }));
        return null;
      } catch (e) {
        return (e as { code?: number }).code === 404 ? name : null;
      }
    }),
  );
  return missing.filter((n): n is string => n !== null);
}
