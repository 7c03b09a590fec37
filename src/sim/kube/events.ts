// The event recorder: core/v1 Events as the real components write them, repeats folded into `count`.
import type { ObjectStore } from './store.js';
import { clone, isoSeconds, uuid, type Rand } from './util.js';

const MAX_EVENTS = 3000;

export class EventRecorder {
  private counter = 0;
  private readonly index = new Map<string, string>();
  private readonly order: { ns: string; name: string; key: string }[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly rand: Rand,
  ) {}

  /** Record an event about `obj` (namespaced objects in their namespace, cluster-scoped ones in default). */
  record(obj: any, type: string, reason: string, message: string, component: string, fieldPath?: string, host?: string): void {
    const ns = obj.metadata.namespace ?? 'default';
    const foldKey = [obj.metadata.uid, type, reason, message, component].join('\u0000');
    const existingName = this.index.get(foldKey);
    const existing = existingName ? this.store.peek('events', ns, existingName) : undefined;
    const now = isoSeconds(Date.now());
    if (existing) {
      const next = clone(existing);
      next.count = (next.count ?? 1) + 1;
      next.lastTimestamp = now;
      this.store.put('events', next);
      return;
    }
    const stamp = (BigInt(Date.now()) * 1_000_000n + BigInt(this.counter++)).toString(16);
    const involved: any = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
    };
    if (!obj.metadata.namespace) delete involved.namespace;
    if (fieldPath) involved.fieldPath = fieldPath;
    const evName = `${obj.metadata.name}.${stamp}`;
    this.store.put('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: evName, namespace: ns, uid: uuid(this.rand), creationTimestamp: now },
      involvedObject: involved,
      reason,
      message,
      source: host ? { component, host } : { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: host ?? '',
    });
    this.index.set(foldKey, evName);
    this.order.push({ ns, name: evName, key: foldKey });
    while (this.order.length > MAX_EVENTS) {
      const old = this.order.shift()!;
      this.store.remove('events', old.ns, old.name);
      if (this.index.get(old.key) === old.name) this.index.delete(old.key);
    }
  }
}
