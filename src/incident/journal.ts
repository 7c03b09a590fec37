// The incident journal: append-only JSONL, one file per incident, fsynced per entry.
//
//   defaultStateDir(env?)                      $XDG_STATE_HOME/warroom or ~/.local/state/warroom
//   incidentJournalPath(stateDir, id)          <stateDir>/incidents/<id>.jsonl
//   sessionJournalPath(stateDir, at)           <stateDir>/sessions/<YYYY-MM-DD>.jsonl (no incident open)
//   appendJsonl(path, value, secrets?)         synchronous append + fsync of one line (redacted)
//   readJournal(path) → {entries, problems}    torn/corrupt lines are skipped AND reported
//   makeIncidentId(title, at, stateDir?)       "2026-11-25-1642-api-errors" (UTC), unique in stateDir
//   foldIncident(entries) → IncidentInfo|null  the incident's current state, replayed from its entries
//   listIncidents(stateDir)                    the index: every incident with status, newest first
//   findOpenIncident(stateDir, environment?)   the newest incident not resolved (declared here), or null
//   environmentId(config, context?)            where a cockpit runs, as an opaque id
//   redactSecrets(text, secrets) / redactDeep(value, secrets)
//
// The index is derived from the journals themselves (they are the only source of truth, so a
// crash can never leave an index that disagrees with them); incidents are few and small.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openPrivateAppend } from '../util/private-files.js';
import type { IncidentInfo, IncidentStatus, Severity, TimelineEntry } from './types.js';
import { errorCode, errorText } from '../util/error-text.js';

export { defaultStateDir } from '../config/load.js';

export function incidentJournalPath(stateDir: string, incidentId: string): string {
  return path.join(stateDir, 'incidents', `${incidentId}.jsonl`);
}

export function sessionJournalPath(stateDir: string, at: number): string {
  return path.join(stateDir, 'sessions', `${new Date(at).toISOString().slice(0, 10)}.jsonl`);
}

/** Replaces every occurrence of each secret (and its URL-encoded form) and URL credentials with ***. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join('***');
    const enc = encodeURIComponent(s);
    if (enc !== s) out = out.split(enc).join('***');
  }
  // user:password@ in any URL
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@:]*:[^/\s@]*@/gi, '$1***@');
}

export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, secrets);
    return out as T;
  }
  return value;
}

/** For the crash tests: a slow disk, so a SIGKILL lands between a write and its fsync more often. */
const SLOW_FSYNC_MS = Number(process.env.WARROOM_TEST_SLOW_FSYNC_MS) || 0;

/**
 * Appends one JSON line and fsyncs it before returning. If the file ends in a torn line (a
 * crash mid-write), a newline is written first so the torn bytes stay on their own line
 * (readJournal reports them) instead of corrupting this entry.
 */
export function appendJsonl(file: string, value: unknown, secrets: readonly string[] = []): void {
  const fd = openPrivateAppend(file);
  try {
    let prefix = '';
    const size = fs.fstatSync(fd).size;
    if (size > 0) {
      const buf = Buffer.alloc(1);
      fs.readSync(fd, buf, 0, 1, size - 1);
      if (buf[0] !== 0x0a) prefix = '\n';
    }
    fs.writeSync(fd, prefix + JSON.stringify(redactDeep(value, secrets)) + '\n');
    if (SLOW_FSYNC_MS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SLOW_FSYNC_MS);
    fs.fsyncSync(fd);
    if (size === 0) fsyncDir(path.dirname(file)); // a new file: make its directory entry durable too
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const d = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(d);
    } finally {
      fs.closeSync(d);
    }
  } catch {
    // Not supported on every platform; the file's own fsync already happened.
  }
}

export interface ReadResult<T> {
  entries: T[];
  /** Human-readable, e.g. "line 42 is incomplete (power loss?): 73 bytes ignored". */
  problems: string[];
}

/** A validator answers null for a good value, or what is wrong with it ("at: 1e20 is not a time"). */
export type Validator = (v: unknown) => string | null;

/** Reads a JSONL file (or `content`, read from it already); a missing file is empty. Bad lines are skipped and reported, never hidden. */
export function readJsonl<T = unknown>(file: string, validate: Validator = () => null, content?: string): ReadResult<T> {
  let text: string;
  try {
    text = content ?? fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return { entries: [], problems: [] };
    return { entries: [], problems: [`cannot read ${path.basename(file)}: ${errorText(e)}`] };
  }
  const entries: T[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  const tornTail = !text.endsWith('\n') && text.length > 0;
  if (!tornTail) lines.pop(); // the empty string after the final newline
  const name = path.basename(file);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const isLast = i === lines.length - 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      const bytes = Buffer.byteLength(line);
      problems.push(
        isLast && tornTail
          ? `${name}: line ${i + 1} is incomplete (power loss?): ${bytes} bytes ignored`
          : `${name}: line ${i + 1} is corrupt (a torn write from an earlier crash?): ${bytes} bytes ignored`,
      );
      return;
    }
    const invalid = validate(parsed);
    if (invalid) {
      problems.push(`${name}: line ${i + 1} skipped: ${invalid}`);
      return;
    }
    entries.push(parsed as T);
  });
  return { entries, problems };
}

/** Times a journal may hold: 2000-01-01 to 2200-01-01 UTC (anything else is a corrupt or forged line). */
const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2200, 0, 1);

export function invalidTime(v: unknown): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `is ${JSON.stringify(v) ?? String(v)}, not a time`;
  if (v < MIN_TIME || v > MAX_TIME) return `${v} is out of range for a time`;
  return null;
}

/** Field name → what is wrong with its value, or null. */
export function checkFields(v: unknown, fields: Record<string, (x: unknown) => string | null>): string | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not an object';
  const o = v as Record<string, unknown>;
  for (const [name, check] of Object.entries(fields)) {
    const problem = check(o[name]);
    if (problem) return `${name} ${problem}`;
  }
  return null;
}

export const isText = (x: unknown) => (typeof x === 'string' ? null : `is ${x === undefined ? 'missing' : typeof x}, not text`);
export const isOptionalText = (x: unknown) => (x === undefined || x === null || typeof x === 'string' ? null : `is ${typeof x}, not text`);
const isOptionalObject = (x: unknown) =>
  x === undefined || x === null || (typeof x === 'object' && !Array.isArray(x)) ? null : `is ${Array.isArray(x) ? 'a list' : typeof x}, not an object`;

const validEntry: Validator = (v) =>
  checkFields(v, {
    id: isText,
    incidentId: isText,
    kind: isText,
    at: invalidTime,
    actor: isText,
    source: isText,
    summary: isText,
    body: isOptionalText,
    refs: isOptionalObject,
    evidence: isOptionalObject,
    delivery: isOptionalObject,
  });

export function readJournal(file: string): ReadResult<TimelineEntry> {
  return readJsonl<TimelineEntry>(file, validEntry);
}

export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug || 'incident';
}

export function makeIncidentId(title: string, at: number, stateDir?: string): string {
  const iso = new Date(at).toISOString(); // 2026-11-25T16:42:…
  const base = `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}-${slugify(title)}`;
  if (!stateDir) return base;
  let id = base;
  for (let n = 2; fs.existsSync(incidentJournalPath(stateDir, id)); n++) id = `${base}-${n}`;
  return id;
}

/** Replays an incident's entries into its current state. Entries carry structured data in refs. */
export function foldIncident(entries: readonly TimelineEntry[]): IncidentInfo | null {
  let info: IncidentInfo | null = null;
  for (const e of entries) {
    const r = (e.refs ?? {}) as Record<string, unknown>;
    if (e.kind === 'incident.declared') {
      info = {
        id: e.incidentId,
        title: String(r.title ?? e.summary),
        severity: (r.severity as Severity) ?? e.severity ?? 'P3',
        status: 'investigating',
        declaredAt: e.at,
        commander: (r.commander as string | null) ?? null,
        comms: (r.comms as string | null) ?? null,
        lastUpdateAt: null,
        publicTitle: typeof r.publicTitle === 'string' ? r.publicTitle : null,
        components: Array.isArray(r.components) ? r.components.map(String) : [],
        environment: typeof r.environment === 'string' ? r.environment : null,
      };
      continue;
    }
    if (!info) continue;
    if (e.kind === 'status.changed' && r.to) info.status = r.to as IncidentStatus;
    else if (e.kind === 'severity.changed' && r.to) info.severity = r.to as Severity;
    else if (e.kind === 'role.assigned') {
      if (r.role === 'commander') info.commander = (r.name as string) ?? null;
      else if (r.role === 'comms') info.comms = (r.name as string) ?? null;
    } else if (e.kind === 'update.queued') {
      info.lastUpdateAt = e.at;
      if (typeof r.publicTitle === 'string' && r.publicTitle) info.publicTitle = r.publicTitle;
    }
  }
  return info;
}

export interface IncidentSummary extends IncidentInfo {
  path: string;
  resolvedAt: number | null;
  problems: string[];
}

export function listIncidents(stateDir: string): IncidentSummary[] {
  const dir = path.join(stateDir, 'incidents');
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const out: IncidentSummary[] = [];
  for (const f of files) {
    const p = path.join(dir, f);
    const { entries, problems } = readJournal(p);
    const info = foldIncident(entries);
    if (!info) continue;
    const resolved = [...entries].reverse().find((e) => e.kind === 'status.changed' && e.refs?.to === 'resolved');
    out.push({ ...info, path: p, resolvedAt: info.status === 'resolved' ? (resolved?.at ?? null) : null, problems });
  }
  return out.sort((a, b) => b.declaredAt - a.declaredAt || b.id.localeCompare(a.id));
}

/**
 * The newest incident not resolved, or null. With `environment`, only one declared there (or one
 * from before incidents recorded where they happen): a cockpit elsewhere does not resume it.
 */
export function findOpenIncident(stateDir: string, environment?: string | null): IncidentSummary | null {
  return listIncidents(stateDir).find((i) => i.status !== 'resolved' && (environment == null || i.environment == null || i.environment === environment)) ?? null;
}

/** Where a cockpit runs, as an opaque id: the kube context and the config's identity (no secret in it). */
export function environmentId(
  config: { kube: { enabled: boolean; context?: string; kubeconfig?: string; namespaces: string[] }; prometheus?: { url: string } },
  context?: string | null,
): string {
  const identity = {
    kube: config.kube.enabled
      ? { context: context ?? config.kube.context ?? null, kubeconfig: config.kube.kubeconfig ?? null, namespaces: [...config.kube.namespaces].sort() }
      : null,
    prometheus: config.prometheus?.url ?? null,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
}
