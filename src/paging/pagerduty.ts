// PagerDuty: the REST API v2 (an API token) and the Events API v2 (a routing key).
//
//   const pd = new PagerDutyClient({apiUrl, eventsUrl, token, from, serviceIds, timeoutMs})
//   pd.listPages()                 GET /incidents?statuses[]=triggered&statuses[]=acknowledged&service_ids[]=…
//                                  (paged by offset/more), each with its escalation level and who is on
//                                  call from GET /oncalls?escalation_policy_ids[]=…
//   pd.acknowledge(id)             PUT /incidents/{id}  {incident: {type: incident_reference, status: acknowledged}}
//   pd.escalate(id, level)         PUT /incidents/{id}  {incident: {type: incident_reference, escalation_level}}
//   pd.addNote(id, text, marker)   POST /incidents/{id}/notes {note: {content}}, after checking GET …/notes
//                                  when an earlier attempt may have landed (the marker is in the content)
//   pd.createIncident({title, serviceId, escalationPolicyId, incidentKey})   POST /incidents (a chosen policy)
//   pd.trigger({routingKey, summary, source, severity, dedupKey, details})   Events v2 POST /v2/enqueue
//
// Every REST call sends `Authorization: Token token=…`, `Accept: application/vnd.pagerduty+json;version=2`
// and, for writes, `From: <email>` (required with an account token). Acknowledge and escalate set a
// state, so repeating them is harmless; Events v2 deduplicates by dedup_key; notes are checked first.
// Failures are ApiErrors (src/paging/api.ts) that never contain the token or the routing key.
import { ApiError, callJson, withRateLimitRetry } from './api.js';

export type PageStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface Page {
  id: string;
  number: number | null;
  title: string;
  status: PageStatus;
  urgency: string | null;
  createdAt: number | null;
  service: string | null;
  serviceId: string | null;
  escalationPolicy: string | null;
  escalationPolicyId: string | null;
  /** The level of its policy the current assignees are on call at (null: not known). */
  escalationLevel: number | null;
  /** The policy's deepest level, when known. */
  levels: number | null;
  assignees: string[];
  assigneeIds: string[];
  acknowledgedBy: string[];
  /** Who is on call at the policy's first level (the primary). */
  onCall: string[];
  url: string | null;
}

export interface OnCall {
  user: string;
  userId: string;
  level: number;
  policyId: string;
}

export interface PagerDutyOptions {
  /** https://api.pagerduty.com */
  apiUrl: string;
  /** https://events.pagerduty.com */
  eventsUrl: string;
  token: string;
  /** The e-mail of the PagerDuty user warroom acts as (the From header). */
  from: string;
  /** Only these services' pages (all when empty). */
  serviceIds: string[];
  timeoutMs?: number;
  maxBytes?: number;
  /** Routing keys, so they are redacted too. */
  secrets?: string[];
  /** Pages fetched at most (a storm of thousands is cut, and said so). */
  maxPages?: number;
}

/** A reference in PagerDuty's REST v2 bodies (service, escalation policy, user). */
interface PdRef {
  id?: string;
  summary?: string;
}

/** An incident as the REST v2 API returns it (the fields warroom reads). */
interface PdIncident {
  id?: string;
  incident_number?: number;
  title?: string;
  summary?: string;
  status?: string;
  urgency?: string;
  created_at?: string;
  html_url?: string;
  service?: PdRef;
  escalation_policy?: PdRef;
  assignments?: Array<{ assignee?: PdRef } | null>;
  acknowledgements?: Array<{ acknowledger?: PdRef } | null>;
}

/** The REST v2 and Events v2 bodies warroom reads. */
interface PdBody {
  incidents?: Array<PdIncident | null>;
  incident?: PdIncident;
  oncalls?: Array<{ user?: PdRef; escalation_level?: number; escalation_policy?: PdRef } | null>;
  notes?: Array<{ id?: string; content?: unknown } | null>;
  note?: { id?: string };
  more?: boolean;
  status?: string;
  message?: string;
  dedup_key?: string;
}

export class PagerDutyClient {
  private readonly secrets: string[];
  constructor(private readonly opts: PagerDutyOptions) {
    this.secrets = [opts.token, ...(opts.secrets ?? [])];
  }

  private url(p: string): string {
    return `${this.opts.apiUrl.replace(/\/+$/, '')}${p}`;
  }

  private call(method: string, p: string, body?: unknown, write = false) {
    return callJson<PdBody>(this.url(p), {
      method,
      body,
      service: 'PagerDuty',
      secrets: this.secrets,
      timeoutMs: this.opts.timeoutMs ?? 10_000,
      maxBytes: this.opts.maxBytes,
      headers: {
        authorization: `Token token=${this.opts.token}`,
        accept: 'application/vnd.pagerduty+json;version=2',
        ...(write ? { from: this.opts.from } : {}),
      },
    });
  }

  /** Open pages (triggered or acknowledged) of the configured services, newest first. */
  async listPages(): Promise<{ pages: Page[]; truncated: boolean }> {
    const max = this.opts.maxPages ?? 200;
    const raw: Array<PdIncident | null> = [];
    let truncated = false;
    for (let offset = 0; ;) {
      const q = new URLSearchParams();
      q.append('statuses[]', 'triggered');
      q.append('statuses[]', 'acknowledged');
      for (const s of this.opts.serviceIds) q.append('service_ids[]', s);
      q.set('limit', '100');
      q.set('offset', String(offset));
      q.set('sort_by', 'created_at:desc');
      const r = await withRateLimitRetry(() => this.call('GET', `/incidents?${q}`));
      const list = r.json?.incidents;
      if (!Array.isArray(list)) throw new ApiError('PagerDuty answered GET /incidents without an incidents list', 'unreadable', false, r.status);
      raw.push(...list);
      if (raw.length >= max) {
        truncated = raw.length > max || r.json?.more === true;
        raw.length = Math.min(raw.length, max);
        break;
      }
      if (r.json?.more !== true || list.length === 0) break;
      offset += list.length;
    }
    const pages = raw.filter((i): i is PdIncident & { id: string } => typeof i?.id === 'string').map(toPage);
    const policies = [...new Set(pages.map((p) => p.escalationPolicyId).filter((x): x is string => !!x))];
    if (policies.length > 0) {
      const oncalls = await this.onCalls(policies);
      for (const p of pages) annotate(p, oncalls);
    }
    return { pages, truncated };
  }

  /** Who is on call, per escalation policy and level. */
  async onCalls(policyIds: string[]): Promise<OnCall[]> {
    const out: OnCall[] = [];
    for (let offset = 0; ;) {
      const q = new URLSearchParams();
      for (const id of policyIds) q.append('escalation_policy_ids[]', id);
      q.set('limit', '100');
      q.set('offset', String(offset));
      const r = await withRateLimitRetry(() => this.call('GET', `/oncalls?${q}`));
      const list = r.json?.oncalls;
      if (!Array.isArray(list)) throw new ApiError('PagerDuty answered GET /oncalls without an oncalls list', 'unreadable', false, r.status);
      for (const o of list) {
        if (!o?.user?.id || !Number.isInteger(o.escalation_level)) continue;
        out.push({ user: String(o.user.summary ?? o.user.id), userId: String(o.user.id), level: o.escalation_level!, policyId: String(o.escalation_policy?.id ?? '') });
      }
      if (r.json?.more !== true || list.length === 0 || out.length > 1000) break;
      offset += list.length;
    }
    return out;
  }

  async acknowledge(id: string): Promise<Page> {
    const r = await withRateLimitRetry(() => this.call('PUT', `/incidents/${encodeURIComponent(id)}`, { incident: { type: 'incident_reference', status: 'acknowledged' } }, true));
    return this.incidentOf(r.json, 'PUT /incidents/{id}');
  }

  /** Reassigns the page to `level` of its escalation policy. */
  async escalate(id: string, level: number): Promise<Page> {
    const r = await withRateLimitRetry(() => this.call('PUT', `/incidents/${encodeURIComponent(id)}`, { incident: { type: 'incident_reference', escalation_level: level } }, true));
    return this.incidentOf(r.json, 'PUT /incidents/{id}');
  }

  async getPage(id: string): Promise<Page> {
    const r = await withRateLimitRetry(() => this.call('GET', `/incidents/${encodeURIComponent(id)}`));
    return this.incidentOf(r.json, 'GET /incidents/{id}');
  }

  /**
   * Adds a note. `marker` is a text the note contains (warroom's entry id): when `maybeLanded`, the
   * page's notes are read first and a note that already holds it is not added again.
   */
  async addNote(id: string, content: string, opts: { marker?: string; maybeLanded?: boolean } = {}): Promise<{ id: string | null; already: boolean }> {
    const base = `/incidents/${encodeURIComponent(id)}/notes`;
    if (opts.maybeLanded && opts.marker) {
      const r = await withRateLimitRetry(() => this.call('GET', base));
      const notes = Array.isArray(r.json?.notes) ? r.json.notes : [];
      const hit = notes.find((n) => typeof n?.content === 'string' && n.content.includes(opts.marker!));
      if (hit) return { id: hit.id ?? null, already: true };
    }
    const r = await this.call('POST', base, { note: { content } }, true);
    return { id: r.json?.note?.id ?? null, already: false };
  }

  /**
   * A new incident on a service, assigned to an escalation policy (REST). `incidentKey` makes it
   * once: PagerDuty refuses a second open incident with the same key, which counts as done.
   */
  async createIncident(i: {
    title: string;
    serviceId: string;
    escalationPolicyId: string;
    incidentKey: string;
    details?: string;
  }): Promise<{ id: string | null; already: boolean }> {
    const body = {
      incident: {
        type: 'incident',
        title: i.title.slice(0, 255),
        service: { id: i.serviceId, type: 'service_reference' },
        escalation_policy: { id: i.escalationPolicyId, type: 'escalation_policy_reference' },
        incident_key: i.incidentKey,
        ...(i.details ? { body: { type: 'incident_body', details: i.details } } : {}),
      },
    };
    try {
      const r = await this.call('POST', '/incidents', body, true);
      return { id: r.json?.incident?.id ?? null, already: false };
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && /matching dedup key already exists/i.test(e.message)) return { id: null, already: true };
      throw e;
    }
  }

  /** Events API v2: a trigger event, deduplicated by dedupKey (so a retry does not page twice). */
  async trigger(ev: {
    routingKey: string;
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    dedupKey: string;
    details?: Record<string, unknown>;
  }): Promise<{ dedupKey: string }> {
    const url = `${this.opts.eventsUrl.replace(/\/+$/, '')}/v2/enqueue`;
    const body = {
      routing_key: ev.routingKey,
      event_action: 'trigger',
      dedup_key: ev.dedupKey,
      client: 'warroom',
      payload: { summary: ev.summary.slice(0, 1024), source: ev.source, severity: ev.severity, custom_details: ev.details ?? {} },
    };
    const r = await withRateLimitRetry(() =>
      callJson<PdBody>(url, {
        method: 'POST',
        body,
        service: 'PagerDuty Events',
        secrets: [...this.secrets, ev.routingKey],
        timeoutMs: this.opts.timeoutMs ?? 10_000,
        maxBytes: this.opts.maxBytes,
      }),
    );
    if (r.json?.status !== 'success')
      throw new ApiError(`PagerDuty Events answered ${JSON.stringify(String(r.json?.status ?? 'nothing')).slice(0, 40)}: ${String(r.json?.message ?? '')}`, 'api', true, r.status);
    return { dedupKey: String(r.json.dedup_key ?? ev.dedupKey) };
  }

  private incidentOf(json: PdBody | null, what: string): Page {
    const i = json?.incident;
    if (!i?.id) throw new ApiError(`PagerDuty answered ${what} without the incident`, 'unreadable', true);
    return toPage({ ...i, id: i.id });
  }
}

function toPage(i: PdIncident & { id: string }): Page {
  const at = Date.parse(String(i.created_at ?? ''));
  const assignments = Array.isArray(i.assignments) ? i.assignments : [];
  return {
    id: String(i.id),
    number: Number.isInteger(i.incident_number) ? i.incident_number! : null,
    title: String(i.title ?? i.summary ?? i.id),
    status: (['triggered', 'acknowledged', 'resolved'].includes(i.status ?? '') ? i.status : 'triggered') as PageStatus,
    urgency: typeof i.urgency === 'string' ? i.urgency : null,
    createdAt: Number.isNaN(at) ? null : at,
    service: i.service?.summary ?? null,
    serviceId: i.service?.id ?? null,
    escalationPolicy: i.escalation_policy?.summary ?? null,
    escalationPolicyId: i.escalation_policy?.id ?? null,
    escalationLevel: null,
    levels: null,
    assignees: assignments.map((a) => String(a?.assignee?.summary ?? a?.assignee?.id ?? '?')),
    assigneeIds: assignments.map((a) => String(a?.assignee?.id ?? '')),
    acknowledgedBy: (Array.isArray(i.acknowledgements) ? i.acknowledgements : []).map((a) => String(a?.acknowledger?.summary ?? a?.acknowledger?.id ?? '?')),
    onCall: [],
    url: typeof i.html_url === 'string' ? i.html_url : null,
  };
}

/** Fills the level the assignees are at, the policy's depth and the primary on call. */
function annotate(p: Page, oncalls: OnCall[]): void {
  const mine = oncalls.filter((o) => o.policyId === p.escalationPolicyId);
  if (mine.length === 0) return;
  const levels = mine.filter((o) => p.assigneeIds.includes(o.userId)).map((o) => o.level);
  p.escalationLevel = levels.length ? Math.max(...levels) : null;
  p.levels = Math.max(...mine.map((o) => o.level));
  p.onCall = [...new Set(mine.filter((o) => o.level === 1).map((o) => o.user))];
}
