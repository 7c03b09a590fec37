// The header line: what stays when the terminal is narrow, freshness, the update cadence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headerCells, type HeaderInput } from '../../src/present/header.js';
import { initialState } from '../../src/store/store.js';

const NOW = Date.parse('2026-11-25T16:00:00Z');
const text = (h: HeaderInput) =>
  headerCells(h)
    .map((c) => c.text)
    .join('');

function input(over: Partial<HeaderInput> = {}): HeaderInput {
  return {
    width: 200,
    now: NOW,
    meta: initialState({ drill: true, scenario: 'bad-deploy', readOnly: true }).meta,
    incident: { id: 'i', title: 't', severity: 'P1', status: 'investigating', declaredAt: NOW - 125_000, commander: null, comms: null, lastUpdateAt: null },
    suggestion: { severity: 'P1', rule: 'api: 5xx 12.3% > 10% → P1' },
    nextUpdateDueAt: NOW + 28 * 60_000,
    context: 'prod-eu',
    namespaces: ['shop'],
    sources: {
      k8s: { status: 'ok', updatedAt: null },
      prom: { status: 'ok', updatedAt: NOW - 2000 },
      pg: { status: 'down', updatedAt: NOW - 125_000 },
      redis: { status: 'disabled', updatedAt: null },
    },
    staleAfterMs: 15_000,
    glyphs: { ok: '●', warn: '▲', critical: '✖' },
    ...over,
  };
}

test('wide: badges, incident, clock, next update, the rule, context and freshness', () => {
  const t = text(input());
  for (const part of ['DRILL bad-deploy', 'READ-ONLY', 'P1 Investigating 02:05', 'next update 28:00', 'api: 5xx 12.3% > 10% → P1', 'ctx prod-eu', 'pg✖DOWN 2m5s'])
    assert.ok(t.includes(part), `${part} in ${t}`);
  assert.ok(!t.includes('redis'), 'unconfigured sources are not shown');
  assert.ok(!/prom● \d/.test(t), 'fresh data shows no age');
});

test('narrow: the least important parts go first; badges and the incident stay', () => {
  const t = text(input({ width: 60 }));
  assert.ok(t.includes('DRILL') && t.includes('READ-ONLY') && t.includes('P1 Investigating'), t);
  assert.ok(!t.includes('ctx prod-eu'), 'context dropped first');
  const mid = text(input({ width: 110 }));
  assert.ok(mid.includes('next update'), 'the update cadence outranks the suggestion');
});

test('stale polled data shows its age; an overdue update says so', () => {
  const t = text(input({ sources: { prom: { status: 'ok', updatedAt: NOW - 40_000 } }, nextUpdateDueAt: NOW - 90_000 }));
  assert.ok(t.includes('prom● 40s'), t);
  assert.ok(t.includes('UPDATE OVERDUE 01:30'), t);
});

test('a long suggestion rule is shortened, not dropped, and the sources stay visible', () => {
  const rule = 'degraded: kube source down: no kubeconfig found: set --kubeconfig or KUBECONFIG, or run in a cluster → P3';
  const t = text(
    input({ width: 120, incident: null, nextUpdateDueAt: null, context: null, suggestion: { severity: 'P3', rule }, sources: { k8s: { status: 'down', updatedAt: null } } }),
  );
  assert.match(t, /suggest P3 degraded: kube source down/);
  assert.match(t, /…/);
  assert.match(t, /k8s✖DOWN/);
});

test('a suggestion that cannot be made reads as unknown, in warning colour, never as all clear', () => {
  const cells = headerCells(input({ incident: null, nextUpdateDueAt: null, suggestion: { severity: null, rule: 'unknown (kubernetes unreachable)' } }));
  const c = cells.find((x) => x.text.includes('unknown'))!;
  assert.equal(c.text, '▲ unknown (kubernetes unreachable) ');
  assert.equal(c.token, 'warn');
  assert.equal(headerCells(input({ suggestion: { severity: null, rule: 'all clear' } })).find((x) => x.text.includes('all clear'))!.token, 'ok');
});

test('at 80 columns the suggestion is cut, then kept as "suggest P2", kept as "suggest P2" before the scenario name', () => {
  const base = { meta: initialState({ drill: true, scenario: 'redis-outage' }).meta, incident: { ...input().incident!, severity: 'P3' as const } };
  const t80 = text(input({ ...base, width: 80, suggestion: { severity: 'P2', rule: 'api: 5xx 8.37% ≥ 5% → P2' } }));
  assert.ok(t80.length <= 80, t80);
  assert.match(t80, /P3 Investigating .*suggest P2/);
  const t60 = text(input({ ...base, width: 60, suggestion: { severity: 'P2', rule: 'api: 5xx 8.37% ≥ 5% → P2' } }));
  assert.ok(t60.length <= 60, t60);
  assert.match(t60, /DRILL +P3 Investigating/);
});
