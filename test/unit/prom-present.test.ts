import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertCells, alertDetails, isNewAlert, ALERT_COLUMNS } from '../../src/present/alerts.js';
import { serviceCells, sparkline, rateChange, errorRateLevel, latencyLevel, formatRate, SIGNAL_COLUMNS } from '../../src/present/signals.js';
import { severitySchema } from '../../src/config/schema.js';
import type { AlertRow, ServiceSignals } from '../../src/sources/prometheus/types.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const sev = severitySchema.parse({});

function alert(over: Partial<AlertRow> = {}): AlertRow {
  return {
    fingerprint: 'abc',
    name: 'HighErrorRate',
    state: 'firing',
    severity: 'critical',
    labels: { alertname: 'HighErrorRate', severity: 'critical' },
    summary: '5xx above 10%',
    description: 'checkout failing',
    runbookUrl: 'https://rb/x',
    activeAt: NOW - 5 * 60_000,
    firstSeenAt: NOW - 30_000,
    resolvedAt: null,
    silenced: false,
    inhibited: false,
    silenceEndsAt: null,
    ...over,
  };
}

function service(over: Partial<ServiceSignals> = {}): ServiceSignals {
  return {
    name: 'checkout',
    errorRate: 0.01,
    p95Seconds: 0.25,
    requestRate: 120,
    requestRateHourAgo: 100,
    errorRateSeries: [0, 0.01, 0.02],
    latencySeries: [],
    problems: [],
    updatedAt: NOW,
    ...over,
  };
}

test('alert row: glyph and word, severity, age, NEW, summary', () => {
  const cells = alertCells(alert(), NOW);
  assert.equal(cells.length, ALERT_COLUMNS.length);
  assert.deepEqual(
    cells.map((c) => c.text),
    ['● FIRING', 'critical', 'HighErrorRate', '5m', 'NEW', '5xx above 10%', ''],
  );
  assert.equal(cells[0].token, 'critical');
  assert.equal(cells[1].token, 'critical');
  assert.equal(cells[4].token, 'accent');
});

test('alert row: pending, resolved, ascii glyphs, not new after the window', () => {
  assert.deepEqual(alertCells(alert({ state: 'pending' }), NOW).slice(0, 1), [{ text: '◐ pending', token: 'warn' }]);
  const resolved = alertCells(alert({ state: 'resolved', resolvedAt: NOW - 90_000 }), NOW);
  assert.equal(resolved[0].text, '✓ resolved');
  assert.equal(resolved[3].text, '1m30s', 'time since it resolved; the state column says resolved');
  assert.equal(resolved[4].text, '', 'resolved is never NEW');
  assert.equal(alertCells(alert(), NOW, { ascii: true })[0].text, '* FIRING');
  assert.equal(isNewAlert(alert({ firstSeenAt: NOW - 3 * 60_000 }), NOW), false);
  assert.equal(alertCells(alert({ severity: 'warning' }), NOW)[1].token, 'warn');
});

test('alert row: silence shows when it expires, in UTC', () => {
  const cells = alertCells(alert({ silenced: true, silenceEndsAt: NOW + 2 * 3_600_000 }), NOW);
  assert.equal(cells[6].text, 'silenced until 14:00Z (2h)');
  assert.equal(cells[0].token, 'muted', 'a silenced firing alert is not shouted');
  assert.equal(alertCells(alert({ inhibited: true }), NOW)[6].text, 'inhibited');
  const details = alertDetails(alert({ silenced: true, silenceEndsAt: NOW + 60_000 }), NOW);
  assert.ok(details.includes('runbook: https://rb/x'));
  assert.ok(details.includes('silenced until 12:01Z (1m)'));
});

test('thresholds: error rate 5%/10%, p95 2s/5s', () => {
  assert.equal(errorRateLevel(0.05, sev), 'ok');
  assert.equal(errorRateLevel(0.051, sev), 'warn');
  assert.equal(errorRateLevel(0.1, sev), 'warn');
  assert.equal(errorRateLevel(0.11, sev), 'critical');
  assert.equal(errorRateLevel(0.6, sev), 'critical');
  assert.equal(errorRateLevel(null, sev), null);
  assert.equal(latencyLevel(1.9, sev), 'ok');
  assert.equal(latencyLevel(2.5, sev), 'warn');
  assert.equal(latencyLevel(5.5, sev), 'critical');
  const custom = severitySchema.parse({ errorRate: { p0: 0.5, p1: 0.02, p2: 0.01 } });
  assert.equal(errorRateLevel(0.03, custom), 'critical');
});

test('service row: values, markers that do not rely on colour, change vs 1h ago', () => {
  const cells = serviceCells(service(), sev, { sparkWidth: 3 });
  assert.equal(cells.length, SIGNAL_COLUMNS.length);
  assert.deepEqual(
    cells.slice(0, 5).map((c) => c.text),
    ['checkout', '1.00%', '250ms', '120', '+20%'],
  );
  assert.equal(cells[1].token, 'ok');
  const bad = serviceCells(service({ errorRate: 0.23, p95Seconds: 3 }), sev);
  assert.equal(bad[1].text, '23.0% !!');
  assert.equal(bad[1].token, 'critical');
  assert.equal(bad[1].bold, true);
  assert.equal(bad[2].text, '3.00s !');
  assert.equal(bad[2].token, 'warn');
  const drop = serviceCells(service({ requestRate: 30 }), sev);
  assert.equal(drop[4].text, '-70%');
  assert.equal(drop[4].token, 'warn', 'traffic falling by more than half is worth a look');
});

test('service row: problems and stale values are visible', () => {
  const cells = serviceCells(service({ problems: ['error rate: bad_data: parse error', 'p95: no data'], updatedAt: NOW - 120_000 }), sev, { now: NOW });
  assert.equal(cells[6].text, '⚠ error rate: bad_data: parse error +1 (values 2m old)');
  assert.equal(cells[6].token, 'warn');
  assert.equal(cells[1].token, 'muted', 'stale value is not coloured as current');
  const none = serviceCells(service({ errorRate: null, p95Seconds: null, requestRate: null, problems: ['error rate: no data'], updatedAt: null }), sev);
  assert.deepEqual(
    none.slice(1, 4).map((c) => c.text),
    ['-', '-', '-'],
  );
  assert.match(none[6].text, /no good values yet/);
});

test('rateChange and formatRate', () => {
  assert.equal(rateChange(100, null), '-');
  assert.equal(rateChange(100, 0), '-');
  assert.equal(rateChange(100, 100), '0%');
  assert.equal(rateChange(50, 100), '-50%');
  assert.equal(formatRate(1234), '1.2k');
  assert.equal(formatRate(3.14159), '3.14');
  assert.equal(formatRate(null), '-');
});

test('sparkline: scales, buckets by max, ascii fallback, blanks for gaps', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8, { ascii: true }), '_.:-=+*#');
  assert.equal(sparkline([0, 0, 0, 7, 0, 0, 0, 0], 4), '▁█▁▁', 'a spike survives bucketing');
  assert.equal(sparkline([1, NaN, 1], 3, { min: 0, max: 1 }), '█ █');
  assert.equal(sparkline([0, 0, 0], 3), '▁▁▁');
  assert.equal(sparkline([], 5), '');
  assert.equal(sparkline([1, 2], 0), '');
  assert.equal(sparkline([0.01, 0.02], 2, { min: 0, max: 0.05 }), '▂▄');
  assert.equal(sparkline([5, 9], 2, { max: 1 }), '██', 'values above max clamp');
});
