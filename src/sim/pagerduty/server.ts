// A PagerDuty simulator on loopback: the REST API v2 and the Events API v2 on one port.
//   GET  /incidents?statuses[]&service_ids[]&limit&offset   {incidents, limit, offset, more, total}
//   POST /incidents {incident: {type, title, service, escalation_policy?, incident_key?}}   needs From
//   GET  /incidents/{id}                                     {incident}
//   PUT  /incidents/{id} {incident: {type, status?, escalation_level?}}   needs From: a known user's e-mail
//   GET  /incidents/{id}/notes   POST /incidents/{id}/notes {note: {content}}  (POST needs From)
//   GET  /oncalls?escalation_policy_ids[]                    {oncalls: [{user, escalation_level, escalation_policy}]}
//   POST /v2/enqueue {routing_key, event_action, dedup_key?, payload: {summary, source, severity}}
//        202 {status: "success", message: "Event processed", dedup_key}; 400 {status: "invalid event", errors}
// Errors are {error: {message, code, errors?}}; REST auth is `Authorization: Token token=<token>`.
// sim.page(...) triggers a page as a monitoring tool would. Faults: `sim.faults.add(…)`.
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { FaultScript, readBody } from '../faults.js';
import { closeNow, listenLoopback } from '../net.js';

export interface PdUser {
  id: string;
  name: string;
  email: string;
}

export interface PdPolicy {
  id: string;
  name: string;
  /** User ids on call at each level (levels[0] is level 1). */
  levels: string[][];
}

export interface PdService {
  id: string;
  name: string;
  policyId: string;
  /** The Events v2 routing key of its integration. */
  routingKey: string;
}

export interface PdIncident {
  id: string;
  incident_number: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency: 'high' | 'low';
  created_at: string;
  incident_key: string;
  serviceId: string;
  policyId: string;
  level: number;
  assignees: string[];
  acknowledgements: Array<{ at: string; userId: string }>;
  notes: Array<{ id: string; content: string; created_at: string; userId: string }>;
  log: string[];
}

export interface PagerDutySimOptions {
  token: string;
  users: PdUser[];
  policies: PdPolicy[];
  services: PdService[];
  port?: number;
}

export class PagerDutySim {
  readonly faults = new FaultScript();
  readonly incidents: PdIncident[] = [];
  readonly requests: Array<{ method: string; path: string; from: string | null; body: any }> = [];
  private server: http.Server | null = null;
  private number = 0;
  url = '';

  constructor(readonly opts: PagerDutySimOptions) {}

  async start(): Promise<this> {
    ({ server: this.server, url: this.url } = await listenLoopback((req, res) => void this.handle(req, res), this.opts.port));
    return this;
  }

  async stop(): Promise<void> {
    this.faults.release();
    const server = this.server;
    this.server = null;
    await closeNow(server);
  }

  /** Triggers a page on a service (as an alerting integration would); an open page with the same key is reused. */
  page(serviceId: string, title: string, key = randomBytes(8).toString('hex')): PdIncident {
    const svc = this.opts.services.find((s) => s.id === serviceId);
    if (!svc) throw new Error(`no service ${serviceId}`);
    const open = this.incidents.find((i) => i.incident_key === key && i.status !== 'resolved' && i.serviceId === serviceId);
    if (open) return open;
    const policy = this.opts.policies.find((p) => p.id === svc.policyId)!;
    const inc: PdIncident = {
      id: `Q${randomBytes(6).toString('hex').toUpperCase()}`,
      incident_number: ++this.number,
      title,
      status: 'triggered',
      urgency: 'high',
      created_at: new Date().toISOString(),
      incident_key: key,
      serviceId,
      policyId: policy.id,
      level: 1,
      assignees: [...(policy.levels[0] ?? [])],
      acknowledgements: [],
      notes: [],
      log: ['trigger'],
    };
    this.incidents.push(inc);
    return inc;
  }

  resolve(id: string): void {
    const i = this.incidents.find((x) => x.id === id);
    if (i) i.status = 'resolved';
  }

  private user(id: string) {
    const u = this.opts.users.find((x) => x.id === id);
    return { id, type: 'user_reference', summary: u?.name ?? id, self: `${this.url}/users/${id}`, html_url: `https://warroom-sim.pagerduty.com/users/${id}` };
  }

  private incidentJson(i: PdIncident) {
    const svc = this.opts.services.find((s) => s.id === i.serviceId);
    const pol = this.opts.policies.find((p) => p.id === i.policyId);
    return {
      id: i.id,
      type: 'incident',
      summary: `[#${i.incident_number}] ${i.title}`,
      self: `${this.url}/incidents/${i.id}`,
      html_url: `https://warroom-sim.pagerduty.com/incidents/${i.id}`,
      incident_number: i.incident_number,
      title: i.title,
      status: i.status,
      urgency: i.urgency,
      created_at: i.created_at,
      incident_key: i.incident_key,
      service: { id: i.serviceId, type: 'service_reference', summary: svc?.name ?? i.serviceId },
      escalation_policy: { id: i.policyId, type: 'escalation_policy_reference', summary: pol?.name ?? i.policyId },
      assignments: i.status === 'resolved' ? [] : i.assignees.map((u) => ({ at: i.created_at, assignee: this.user(u) })),
      acknowledgements: i.status === 'acknowledged' ? i.acknowledgements.map((a) => ({ at: a.at, acknowledger: this.user(a.userId) })) : [],
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const { args } = await readBody(req);
    const method = req.method ?? 'GET';
    const fault = this.faults.take(method, url.pathname);
    let answer: { status: number; body: unknown } = { status: 500, body: {} };
    const work = () => {
      this.requests.push({ method, path: url.pathname, from: (req.headers.from as string) ?? null, body: args });
      answer = url.pathname === '/v2/enqueue' ? this.events(method, args) : this.rest(method, url, args, req.headers);
    };
    if (fault) return this.faults.apply(fault, req, res, work);
    work();
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  private rest(method: string, url: URL, a: Record<string, any>, headers: http.IncomingHttpHeaders): { status: number; body: unknown } {
    const error = (status: number, message: string, code: number, errors?: string[]) => ({ status, body: { error: { message, code, ...(errors ? { errors } : {}) } } });
    if (headers.authorization !== `Token token=${this.opts.token}`) return error(401, 'Unauthorized', 2006);
    if (a.__invalid_json) return error(400, 'Invalid Input Provided', 2001, ['Request body is not valid JSON']);
    const requester = () => this.opts.users.find((u) => u.email.toLowerCase() === String(headers.from ?? '').toLowerCase());
    const parts = url.pathname.split('/').filter(Boolean);
    const list = (name: string) => url.searchParams.getAll(`${name}[]`);
    const paged = <T>(items: T[]) => {
      const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit')) || 25));
      const offset = Math.max(0, Number(url.searchParams.get('offset')) || 0);
      return { page: items.slice(offset, offset + limit), limit, offset, more: offset + limit < items.length, total: null };
    };

    if (parts[0] === 'oncalls' && method === 'GET') {
      const ids = list('escalation_policy_ids');
      const out = [];
      for (const p of this.opts.policies) {
        if (ids.length && !ids.includes(p.id)) continue;
        for (const [i, users] of p.levels.entries())
          for (const u of users)
            out.push({
              user: this.user(u),
              escalation_level: i + 1,
              escalation_policy: { id: p.id, type: 'escalation_policy_reference', summary: p.name },
              schedule: null,
              start: null,
              end: null,
            });
      }
      const { page, ...rest } = paged(out);
      return { status: 200, body: { oncalls: page, ...rest } };
    }
    if (parts[0] !== 'incidents') return error(404, 'Not Found', 2100);
    if (parts.length === 1 && method === 'GET') {
      const statuses = list('statuses');
      const services = list('service_ids');
      const found = this.incidents.filter((i) => (!statuses.length || statuses.includes(i.status)) && (!services.length || services.includes(i.serviceId)));
      const sorted = url.searchParams.get('sort_by') === 'created_at:desc' ? [...found].reverse() : found;
      const { page, ...rest } = paged(sorted);
      return { status: 200, body: { incidents: page.map((i) => this.incidentJson(i)), ...rest } };
    }
    if (parts.length === 1 && method === 'POST') {
      const who = requester();
      if (!who) return error(400, 'Invalid Input Provided', 2001, ['Requester User Not Found']);
      const b = a.incident;
      const svc = this.opts.services.find((x) => x.id === b?.service?.id);
      if (!b || b.type !== 'incident' || typeof b.title !== 'string' || !svc) return error(400, 'Invalid Input Provided', 2001, ['Incident must have a title and a valid service']);
      const policy = b.escalation_policy?.id ? this.opts.policies.find((x) => x.id === b.escalation_policy.id) : this.opts.policies.find((x) => x.id === svc.policyId);
      if (!policy) return error(400, 'Invalid Input Provided', 2001, ['Escalation policy not found']);
      const key = typeof b.incident_key === 'string' ? b.incident_key : undefined;
      if (key && this.incidents.some((i) => i.incident_key === key && i.serviceId === svc.id && i.status !== 'resolved'))
        return error(400, 'Invalid Input Provided', 2001, ['Open incident with matching dedup key already exists on this service']);
      const inc = this.page(svc.id, b.title, key);
      inc.policyId = policy.id;
      inc.assignees = [...(policy.levels[0] ?? [])];
      return { status: 201, body: { incident: this.incidentJson(inc) } };
    }
    const inc = this.incidents.find((i) => i.id === parts[1]);
    if (!inc) return error(404, 'Not Found', 2100);
    if (parts.length === 2 && method === 'GET') return { status: 200, body: { incident: this.incidentJson(inc) } };
    if (parts.length === 2 && method === 'PUT') {
      const who = requester();
      if (!who) return error(400, 'Invalid Input Provided', 2001, ['Requester User Not Found']);
      const body = a.incident;
      if (!body || (body.type !== 'incident_reference' && body.type !== 'incident'))
        return error(400, 'Invalid Input Provided', 2001, ['Incident type must be incident_reference']);
      if (inc.status === 'resolved') return error(400, 'Incident Already Resolved', 2001, ['Incident Already Resolved']);
      if (body.escalation_level !== undefined) {
        const pol = this.opts.policies.find((p) => p.id === inc.policyId)!;
        const lvl = body.escalation_level;
        if (!Number.isInteger(lvl) || lvl < 1 || lvl > pol.levels.length)
          return error(400, 'Invalid Input Provided', 2001, [`Escalation level ${lvl} does not exist on the policy`]);
        inc.level = lvl;
        inc.assignees = [...pol.levels[lvl - 1]!];
        // Reassigning puts the page back to triggered for its new assignees.
        inc.status = 'triggered';
        inc.acknowledgements = [];
        inc.log.push(`escalate ${lvl}`);
      }
      if (body.status !== undefined) {
        if (body.status !== 'acknowledged' && body.status !== 'resolved') return error(400, 'Invalid Input Provided', 2001, [`Status ${body.status} is not allowed`]);
        if (body.status === 'acknowledged') {
          if (!inc.acknowledgements.some((x) => x.userId === who.id)) inc.acknowledgements.push({ at: new Date().toISOString(), userId: who.id });
          inc.status = 'acknowledged';
        } else inc.status = 'resolved';
        inc.log.push(`${body.status} by ${who.id}`);
      }
      return { status: 200, body: { incident: this.incidentJson(inc) } };
    }
    if (parts[2] === 'notes') {
      if (method === 'GET') return { status: 200, body: { notes: inc.notes.map((n) => ({ id: n.id, content: n.content, created_at: n.created_at, user: this.user(n.userId) })) } };
      if (method === 'POST') {
        const who = requester();
        if (!who) return error(400, 'Invalid Input Provided', 2001, ['Requester User Not Found']);
        const content = a.note?.content;
        if (typeof content !== 'string' || !content.trim()) return error(400, 'Invalid Input Provided', 2001, ['Note content is required']);
        const note = { id: `N${randomBytes(5).toString('hex').toUpperCase()}`, content, created_at: new Date().toISOString(), userId: who.id };
        inc.notes.push(note);
        return { status: 201, body: { note: { id: note.id, content, created_at: note.created_at, user: this.user(who.id) } } };
      }
    }
    return error(404, 'Not Found', 2100);
  }

  private events(method: string, a: Record<string, any>): { status: number; body: unknown } {
    const invalid = (...errors: string[]) => ({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } });
    if (method !== 'POST') return { status: 405, body: {} };
    const svc = this.opts.services.find((s) => s.routingKey === a.routing_key);
    if (!svc) return invalid('Invalid routing key');
    const action = a.event_action;
    if (!['trigger', 'acknowledge', 'resolve'].includes(action)) return invalid("'event_action' must be one of trigger, acknowledge, resolve");
    const dedup = typeof a.dedup_key === 'string' && a.dedup_key ? a.dedup_key : randomBytes(16).toString('hex');
    if (action === 'trigger') {
      const p = a.payload;
      const problems = [];
      if (typeof p?.summary !== 'string' || !p.summary) problems.push("'payload.summary' is missing or blank");
      if (typeof p?.source !== 'string' || !p.source) problems.push("'payload.source' is missing or blank");
      if (!['critical', 'error', 'warning', 'info'].includes(p?.severity)) problems.push("'payload.severity' must be one of critical, error, warning, info");
      if (problems.length) return invalid(...problems);
      this.page(svc.id, p.summary, dedup);
    } else {
      const open = this.incidents.find((i) => i.incident_key === dedup && i.status !== 'resolved');
      if (open) open.status = action === 'resolve' ? 'resolved' : 'acknowledged';
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedup } };
  }
}
