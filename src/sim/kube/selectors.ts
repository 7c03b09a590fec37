// Label and field selectors as the API server parses them.
import { ApiError } from './errors.js';

type LabelReq = { op: 'eq' | 'neq'; key: string; value: string } | { op: 'in' | 'notin'; key: string; values: string[] } | { op: 'exists' | 'notexists'; key: string };

export type Matcher = (obj: any) => boolean;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

export function parseLabelSelector(sel: string | undefined | null): Matcher {
  if (!sel || !sel.trim()) return () => true;
  const reqs: LabelReq[] = [];
  for (const part of splitTopLevel(sel)) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      reqs.push({
        op: m[2] as 'in' | 'notin',
        key: m[1]!,
        values: m[3]!
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      });
    } else if ((m = /^([\w./-]+)\s*!=\s*([\w./-]*)$/.exec(part))) {
      reqs.push({ op: 'neq', key: m[1]!, value: m[2]! });
    } else if ((m = /^([\w./-]+)\s*==?\s*([\w./-]*)$/.exec(part))) {
      reqs.push({ op: 'eq', key: m[1]!, value: m[2]! });
    } else if ((m = /^!\s*([\w./-]+)$/.exec(part))) {
      reqs.push({ op: 'notexists', key: m[1]! });
    } else if ((m = /^([\w./-]+)$/.exec(part))) {
      reqs.push({ op: 'exists', key: m[1]! });
    } else {
      throw ApiError.badRequest(`unable to parse requirement: found '${part}', expected: valid label selector`);
    }
  }
  return (obj: any) => {
    const labels: Record<string, string> = obj?.metadata?.labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case 'eq':
          return has && v === r.value;
        case 'neq':
          return !has || v !== r.value;
        case 'in':
          return has && r.values.includes(v!);
        case 'notin':
          return !has || !r.values.includes(v!);
        case 'exists':
          return has;
        case 'notexists':
          return !has;
      }
    });
  };
}

export function selectorFromMatchLabels(matchLabels: Record<string, string> | undefined): string {
  return Object.entries(matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function fieldValue(obj: any, path: string): string {
  let cur = obj;
  for (const p of path.split('.')) cur = cur?.[p];
  return cur === undefined || cur === null ? '' : String(cur);
}

export function parseFieldSelector(sel: string | undefined | null): Matcher {
  if (!sel || !sel.trim()) return () => true;
  const reqs: { key: string; neq: boolean; value: string }[] = [];
  for (const part of sel
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^([\w.]+)\s*(!=|==|=)\s*(.*)$/.exec(part);
    if (!m) throw ApiError.badRequest(`invalid selector: '${sel}'; can't understand '${part}'`);
    reqs.push({ key: m[1]!, neq: m[2] === '!=', value: m[3]! });
  }
  return (obj: any) => reqs.every((r) => (fieldValue(obj, r.key) === r.value) !== r.neq);
}
