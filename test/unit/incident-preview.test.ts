// The update preview shows every text that will be sent; a drill's dry run has a public part too,
// so the public wording can be checked before it matters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentEngine } from '../../src/incident/incident.js';
import { configSchema } from '../../src/config/schema.js';
import { sinksFromConfig } from '../../src/incident/sinks.js';
import { previewPost } from '../../src/actions/incident.js';
import { tempDir } from '../helpers/net.js';

test('a drill (dry-run sink only) previews the internal text and the public status-page text, which names no internal detail', () => {
  const dir = tempDir();
  const engine = new IncidentEngine({
    stateDir: dir,
    config: configSchema.parse({}),
    now: () => Date.UTC(2026, 10, 25, 16),
    sinks: sinksFromConfig({}, { stateDir: dir, forceDryRun: true }),
  });
  engine.declare({ title: 'api 5xx after v2.4.1', severity: 'P1', actor: 'ana', components: ['API'] });
  const lines = previewPost(
    engine,
    { whatWeKnow: 'api-68ddbb977d-bxvvd crash-looping; 5xx 12.1%', currentActions: 'rolling back', impact: 'checkout fails', nextUpdate: 'in 30 min' },
    'investigating',
  );
  const text = lines.join('\n');
  assert.match(text, /── dry-run \(internal\) ──/);
  assert.match(text, /api-68ddbb977d-bxvvd/, 'the internal text carries the details');
  const start = text.indexOf('── dry-run-public (public) ──');
  assert.ok(start > 0, text);
  const pub = text.slice(start);
  assert.match(pub, /We are investigating/);
  // The page's fields the dry run records, as a status page would get them.
  assert.match(pub, /^Incident name: Degraded service: API$/m);
  assert.match(pub, /^Status: investigating$/m);
  assert.match(pub, /^Components: partial_outage$/m);
  for (const secret of ['api-68ddbb977d', '12.1', 'v2.4.1', 'crash']) assert.ok(!pub.includes(secret), `public text leaks "${secret}":\n${pub}`);
});
