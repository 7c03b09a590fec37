// Small, dependency-free helpers for the benchmark: order statistics and the result table.

/** Median of a sample (mean of the two middle values for an even count). NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100): the smallest value with at least p% of the sample at or below it. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (Math.abs(n) < 1024) return `${Math.round(n)} B`;
  if (Math.abs(n) < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatMs(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n < 10 ? `${n.toFixed(2)} ms` : n < 100 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`;
}

/** "median X · p95 Y (n=N)" for a distribution. */
export function describeDistribution(xs: readonly number[], fmt: (n: number) => string): string {
  return `median ${fmt(median(xs))} · p95 ${fmt(percentile(xs, 95))} (n=${xs.length})`;
}

export type Verdict = 'pass' | 'fail' | 'info' | 'n/a';

export interface Row {
  metric: string;
  value: string;
  target: string;
  verdict: Verdict;
}

const MARK: Record<Verdict, string> = { pass: '✓', fail: '✗', info: '·', 'n/a': '–' };

/** Verdict for `value < limit` (n/a when the value is not a number). */
export function below(value: number, limit: number): Verdict {
  if (!Number.isFinite(value)) return 'n/a';
  return value < limit ? 'pass' : 'fail';
}

/** The result table: metric | value | target | verdict, columns padded to their widest cell. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['metric', 'value', 'target', 'verdict'];
  const cells = rows.map((r) => [r.metric, r.value, r.target, MARK[r.verdict]]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => [...c[i]].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x + ' '.repeat(widths[i] - [...x].length)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), sep, ...cells.map(line)].join('\n');
}
