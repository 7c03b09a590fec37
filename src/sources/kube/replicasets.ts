// `:rs`: the ReplicaSets of the watched namespaces, read with one LIST each (kubectl get rs).
import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import { toKubeError } from './errors.js';

export interface ReplicaSetRow {
  namespace: string;
  name: string;
  desired: number;
  current: number;
  ready: number;
  createdAt: number | null;
  /** The controller owner (`Deployment/api`), if any. */
  owner: string | null;
  revision: string | null;
  images: string[];
}

/** `namespaces` null: every namespace. Sorted by namespace, owner, newest first. */
export async function listReplicaSets(c: KubeClients, namespaces: string[] | null, labelSelector?: string): Promise<ReplicaSetRow[]> {
  const lists = await Promise.all(
    (namespaces ?? [null]).map(async (ns) => {
      try {
        const list = ns
          ? await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector }, c.opts())
          : await c.apps.listReplicaSetForAllNamespaces({ labelSelector }, c.opts());
        return list.items;
      } catch (e) {
        throw toKubeError(e, `list replicasets${ns ? ` in ${ns}` : ''}`, c.server);
      }
    }),
  );
  return lists
    .flat()
    .map(replicaSetRow)
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || (a.owner ?? '').localeCompare(b.owner ?? '') || (b.createdAt ?? 0) - (a.createdAt ?? 0));
}

function replicaSetRow(rs: V1ReplicaSet): ReplicaSetRow {
  const owner = rs.metadata?.ownerReferences?.find((r) => r.controller);
  const created = rs.metadata?.creationTimestamp;
  return {
    namespace: rs.metadata?.namespace ?? '',
    name: rs.metadata?.name ?? '',
    desired: rs.spec?.replicas ?? 0,
    current: rs.status?.replicas ?? 0,
    ready: rs.status?.readyReplicas ?? 0,
    createdAt: created ? new Date(created).getTime() : null,
    owner: owner ? `${owner.kind}/${owner.name}` : null,
    revision: rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? null,
    images: (rs.spec?.template?.spec?.containers ?? []).map((ct) => ct.image ?? ''),
  };
}
