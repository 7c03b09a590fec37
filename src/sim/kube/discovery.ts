// Discovery documents (legacy, non-aggregated), as kubectl and client-node read them.

export interface ResourceDef {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: ResourceDef[] = [
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
  },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, verbs: RW, shortNames: ['po'], categories: ['all'] },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, verbs: RW, shortNames: ['ev'] },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, verbs: ['get', 'list', 'watch'], shortNames: ['svc'], categories: ['all'] },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, verbs: RW, shortNames: ['no'] },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, verbs: RW, shortNames: ['deploy'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, verbs: RW, shortNames: ['rs'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, verbs: RW, shortNames: ['sts'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, verbs: RW, shortNames: ['ds'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'controllerrevisions', kind: 'ControllerRevision', namespaced: true, verbs: RW },
  { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
  { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
  { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
];

export const GROUPS = [
  { name: 'apps', version: 'v1' },
  { name: 'authorization.k8s.io', version: 'v1' },
  { name: 'metrics.k8s.io', version: 'v1beta1' },
];

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): any {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(): any {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: GROUPS.map((g) => apiGroup(g.name)),
  };
}

export function apiGroup(name: string): any | undefined {
  const g = GROUPS.find((x) => x.name === name);
  if (!g) return undefined;
  const gv = { groupVersion: `${g.name}/${g.version}`, version: g.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name: g.name, versions: [gv], preferredVersion: gv };
}

export function resourceList(group: string, version: string): any | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: any[] = [];
  for (const r of rs) {
    const singular = r.kind.toLowerCase();
    const base: any = { name: r.resource, singularName: singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames) base.shortNames = r.shortNames;
    if (r.categories) base.categories = r.categories;
    resources.push(base);
    if (r.resource === 'pods' && group === '') {
      resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
      resources.push({ name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
      for (const sub of ['attach', 'exec', 'portforward'])
        resources.push({
          name: `pods/${sub}`,
          singularName: '',
          namespaced: true,
          kind: sub === 'portforward' ? 'PodPortForwardOptions' : sub === 'exec' ? 'PodExecOptions' : 'PodAttachOptions',
          verbs: ['create', 'get'],
        });
    }
    if (r.resource === 'nodes' && group === '') resources.push({ name: 'nodes/status', singularName: '', namespaced: false, kind: 'Node', verbs: ['get', 'patch', 'update'] });
    if (r.resource === 'daemonsets') resources.push({ name: 'daemonsets/status', singularName: '', namespaced: true, kind: 'DaemonSet', verbs: ['get', 'patch', 'update'] });
    if (r.resource === 'deployments' || r.resource === 'replicasets' || r.resource === 'statefulsets') {
      resources.push({ name: `${r.resource}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
      resources.push({ name: `${r.resource}/status`, singularName: '', namespaced: true, kind: r.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
