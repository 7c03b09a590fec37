// Object store with one global resourceVersion counter, a bounded change history and watchers.
import { ApiError } from './errors.js';
import { clone } from './util.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Change {
  rv: number;
  type: EventType;
  resource: string;
  obj: any;
  prev?: any;
}

export interface WatchSpec {
  resource: string;
  namespace?: string;
  match: (obj: any) => boolean;
  send: (type: EventType, obj: any) => void;
}

const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

export class ObjectStore {
  private rv = 0;
  private compactedRv = 0;
  private readonly objects = new Map<string, Map<string, any>>();
  private history: Change[] = [];
  private readonly watchers = new Set<WatchSpec>();
  private readonly changeListeners = new Set<() => void>();
  private notifyPending = false;
  maxHistory = 10000;

  currentRv(): string {
    return String(this.rv);
  }

  private bucket(resource: string): Map<string, any> {
    let m = this.objects.get(resource);
    if (!m) this.objects.set(resource, (m = new Map()));
    return m;
  }

  /** The stored object; treat as immutable (callers clone before changing). */
  peek(resource: string, ns: string | undefined, name: string): any | undefined {
    return this.bucket(resource).get(key(ns, name));
  }

  get(resource: string, ns: string | undefined, name: string): any | undefined {
    return clone(this.peek(resource, ns, name));
  }

  /** Stored objects (not copies), in no particular order. */
  peekUnsorted(resource: string, ns?: string, match: (o: any) => boolean = () => true): any[] {
    const out: any[] = [];
    for (const o of this.bucket(resource).values()) {
      if (ns !== undefined && o.metadata.namespace !== ns) continue;
      if (match(o)) out.push(o);
    }
    return out;
  }

  count(resource: string): number {
    return this.bucket(resource).size;
  }

  /** Stored objects (not copies), sorted by namespace then name like the API server. */
  peekAll(resource: string, ns?: string, match: (o: any) => boolean = () => true): any[] {
    return this.peekUnsorted(resource, ns, match).sort((a, b) => key(a.metadata.namespace, a.metadata.name).localeCompare(key(b.metadata.namespace, b.metadata.name)));
  }

  list(resource: string, ns?: string, match?: (o: any) => boolean): any[] {
    return this.peekAll(resource, ns, match).map(clone);
  }

  put(resource: string, objIn: any): any {
    const obj = clone(objIn);
    const k = key(obj.metadata.namespace, obj.metadata.name);
    const prev = this.bucket(resource).get(k);
    obj.metadata.resourceVersion = String(++this.rv);
    this.bucket(resource).set(k, obj);
    this.record({ rv: this.rv, type: prev ? 'MODIFIED' : 'ADDED', resource, obj, prev });
    return clone(obj);
  }

  remove(resource: string, ns: string | undefined, name: string): any | undefined {
    const k = key(ns, name);
    const prev = this.bucket(resource).get(k);
    if (!prev) return undefined;
    this.bucket(resource).delete(k);
    const obj = clone(prev);
    obj.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, type: 'DELETED', resource, obj });
    return clone(obj);
  }

  private record(c: Change): void {
    this.history.push(c);
    if (this.history.length > this.maxHistory) {
      const drop = this.history.splice(0, this.history.length - this.maxHistory);
      this.compactedRv = drop[drop.length - 1]!.rv;
    }
    for (const w of [...this.watchers]) this.deliver(w, c);
    this.scheduleNotify();
  }

  private deliver(w: WatchSpec, c: Change): void {
    if (c.resource !== w.resource) return;
    if (w.namespace !== undefined && c.obj.metadata.namespace !== w.namespace) return;
    const now = w.match(c.obj);
    if (c.type === 'MODIFIED' && c.prev) {
      const before = w.match(c.prev);
      if (now && before) w.send('MODIFIED', c.obj);
      else if (now) w.send('ADDED', c.obj);
      else if (before) w.send('DELETED', c.obj);
      return;
    }
    if (now) w.send(c.type, c.obj);
  }

  /**
   * Start a watch. With no resourceVersion (or "0") the current objects arrive as ADDED first.
   * Throws a 410 ApiError when the resourceVersion is older than the retained history.
   */
  watch(w: WatchSpec, fromRv: string | undefined): () => void {
    if (!fromRv || fromRv === '0') {
      for (const o of this.peekAll(w.resource, w.namespace, w.match)) w.send('ADDED', o);
    } else {
      const n = Number(fromRv);
      if (!Number.isInteger(n) || n < 0) throw ApiError.badRequest(`invalid resource version: ${fromRv}`);
      if (n < this.compactedRv) throw new ApiError(410, 'Expired', `too old resource version: ${n} (${this.compactedRv})`);
      for (const c of this.history) if (c.rv > n) this.deliver(w, c);
    }
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /** Forget the history so that any earlier resourceVersion is answered with 410. */
  compact(): void {
    this.history = [];
    this.rv++;
    this.compactedRv = this.rv;
  }

  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  private scheduleNotify(): void {
    if (this.notifyPending || this.changeListeners.size === 0) return;
    this.notifyPending = true;
    setImmediate(() => {
      this.notifyPending = false;
      for (const fn of [...this.changeListeners]) {
        try {
          fn();
        } catch {
          // a listener's failure must not break the simulator
        }
      }
    });
  }
}
