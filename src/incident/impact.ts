// Impact figures for the post-mortem from Prometheus over the incident window: peak error
// rate, peak p95, and an estimate of failed requests (Σ error ratio × request rate × step).
import type { ServiceConfig } from '../config/schema.js';
import type { PromClient } from '../sources/prometheus/client.js';
import { serviceQueries } from '../sources/prometheus/queries.js';
import type { ImpactFigures, ServicePeaks } from './postmortem.js';

export async function fetchImpact(client: PromClient, services: ServiceConfig[], fromMs: number, toMs: number, rateWindow?: string): Promise<ImpactFigures> {
  const windowS = Math.max(60, (toMs - fromMs) / 1000);
  const step = Math.max(15, Math.ceil(windowS / 200));
  let peakErrorRate: number | null = null;
  let peakP95: number | null = null;
  let failed: number | null = null;
  const notes: string[] = [];
  const peaks: ServicePeaks[] = [];
  for (const svc of services) {
    const q = serviceQueries(svc, rateWindow);
    try {
      const [err, p95, rate] = await Promise.all([
        client.queryRange(q.errorRate, fromMs, toMs, step),
        client.queryRange(q.p95, fromMs, toMs, step),
        client.queryRange(q.requestRate, fromMs, toMs, step),
      ]);
      const values = (series: typeof err) => series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
      const errVals = values(err);
      const rateByTime = new Map(values(rate).map(([t, v]) => [t, v]));
      const max = (vals: [number, number][]) => (vals.length ? Math.max(...vals.map(([, v]) => v)) : null);
      const svcPeaks = { service: svc.name, peakErrorRate: max(errVals), peakP95Seconds: max(values(p95)) };
      peaks.push(svcPeaks);
      if (svcPeaks.peakErrorRate !== null) peakErrorRate = Math.max(peakErrorRate ?? 0, svcPeaks.peakErrorRate);
      if (svcPeaks.peakP95Seconds !== null) peakP95 = Math.max(peakP95 ?? 0, svcPeaks.peakP95Seconds);
      for (const [t, v] of errVals) {
        const r = rateByTime.get(t);
        if (r !== undefined) failed = (failed ?? 0) + v * r * step;
      }
      notes.push(`${svc.name}: from ${q.errorRate} and ${q.p95}, step ${step}s`);
    } catch (e) {
      notes.push(`${svc.name}: Prometheus did not answer (${(e as Error).message})`);
    }
  }
  return { peakErrorRate, peakP95Seconds: peakP95, services: peaks, requestsFailed: failed === null ? null : Math.round(failed), notes };
}
