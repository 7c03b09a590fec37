// JSON patch (RFC 6902), JSON merge patch (RFC 7386) and a strategic merge patch good enough for kubectl.
import { ApiError } from './errors.js';
import { clone, isPlainObject } from './util.js';

export type PatchType = 'json' | 'merge' | 'strategic';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/json-patch+json') return 'json';
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  throw ApiError.unsupportedMediaType(ct);
}

export function applyPatch(type: PatchType, doc: any, patch: unknown): any {
  if (type === 'json') return jsonPatch(doc, patch);
  if (!isPlainObject(patch)) throw ApiError.badRequest('error decoding patch: patch must be a JSON object');
  return type === 'merge' ? mergePatch(doc, patch) : strategicMerge(doc, patch, []);
}

function unescape(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw ApiError.unprocessable(`the server rejected our request due to an error in our request: invalid JSON pointer "${p}"`);
  return p.slice(1).split('/').map(unescape);
}

function patchFail(op: string, path: string, why: string): ApiError {
  return ApiError.unprocessable(`the server rejected our request due to an error in our request: ${op} operation does not apply: ${why}: ${path}`);
}

function parent(doc: any, segs: string[], op: string, path: string): any {
  let cur = doc;
  for (const s of segs.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = Number(s);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) throw patchFail(op, path, 'doc is missing path');
      cur = cur[i];
    } else if (isPlainObject(cur) && s in cur) cur = cur[s];
    else throw patchFail(op, path, 'doc is missing path');
  }
  if (!isPlainObject(cur) && !Array.isArray(cur)) throw patchFail(op, path, 'doc is missing path');
  return cur;
}

function getAt(doc: any, path: string, op: string): any {
  let cur = doc;
  for (const s of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isPlainObject(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw patchFail(op, path, 'doc is missing path');
  }
  return cur;
}

function removeAt(doc: any, path: string, op: string): any {
  const segs = parsePointer(path);
  if (segs.length === 0) throw patchFail(op, path, 'cannot remove the root');
  const par = parent(doc, segs, op, path);
  const last = segs[segs.length - 1]!;
  if (Array.isArray(par)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= par.length) throw patchFail(op, path, 'doc is missing key');
    return par.splice(i, 1)[0];
  }
  if (!(last in par)) throw patchFail(op, path, 'doc is missing key');
  const v = par[last];
  delete par[last];
  return v;
}

function addAt(doc: any, path: string, value: any, op: string, replace: boolean): any {
  const segs = parsePointer(path);
  if (segs.length === 0) return value;
  const par = parent(doc, segs, op, path);
  const last = segs[segs.length - 1]!;
  if (Array.isArray(par)) {
    if (last === '-' && !replace) par.push(value);
    else {
      const i = Number(last);
      const max = replace ? par.length - 1 : par.length;
      if (!Number.isInteger(i) || i < 0 || i > max) throw patchFail(op, path, 'doc is missing key');
      if (replace) par[i] = value;
      else par.splice(i, 0, value);
    }
  } else {
    if (replace && !(last in par)) throw patchFail(op, path, 'doc is missing key');
    par[last] = value;
  }
  return doc;
}

export function jsonPatch(docIn: any, patch: unknown): any {
  if (!Array.isArray(patch)) throw ApiError.badRequest('error decoding patch: json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(docIn);
  for (const raw of patch) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw ApiError.unprocessable('the server rejected our request due to an error in our request: invalid JSON patch operation');
    }
    const { op, path } = raw as { op: string; path: string; value?: unknown; from?: string };
    switch (op) {
      case 'add':
        doc = addAt(doc, path, clone(raw.value), op, false);
        break;
      case 'replace':
        doc = addAt(doc, path, clone(raw.value), op, true);
        break;
      case 'remove':
        removeAt(doc, path, op);
        break;
      case 'move': {
        const v = removeAt(doc, String(raw.from), op);
        doc = addAt(doc, path, v, op, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, clone(getAt(doc, String(raw.from), op)), op, false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, path, op)) !== JSON.stringify(raw.value)) throw patchFail(op, path, 'testing value failed');
        break;
      default:
        throw ApiError.unprocessable(`the server rejected our request due to an error in our request: Unexpected kind: ${op}`);
    }
  }
  return doc;
}

export function mergePatch(target: any, patch: any): any {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, any> = isPlainObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** List fields merged by key in strategic merge patch (patchMergeKey from the Kubernetes types). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

function strategicMerge(target: any, patch: Record<string, any>, path: string[]): any {
  const out: Record<string, any> = isPlainObject(target) ? clone(target) : {};
  if (patch.$patch === 'replace') {
    const r = clone(patch);
    delete r.$patch;
    return r;
  }
  if (patch.$patch === 'delete') return undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v) && MERGE_KEYS[k] && Array.isArray(out[k])) {
      out[k] = mergeList(out[k], v, MERGE_KEYS[k]!, [...path, k]);
    } else if (isPlainObject(v)) {
      const merged = strategicMerge(out[k], v, [...path, k]);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = clone(v);
    }
  }
  return out;
}

function mergeList(cur: any[], patch: any[], key: string, path: string[]): any[] {
  const out = clone(cur);
  for (const item of patch) {
    if (!isPlainObject(item) || !(key in item)) {
      // Not keyed: the patch list replaces the whole list, as for lists without a merge key.
      return clone(patch.filter((x) => !(isPlainObject(x) && x.$patch)));
    }
    const idx = out.findIndex((x) => isPlainObject(x) && x[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = strategicMerge(out[idx], item, path);
    } else {
      const fresh = clone(item);
      delete fresh.$patch;
      out.push(fresh);
    }
  }
  return out;
}
