// Small shared formatters for durations, ages, sizes and ratios.

/** kubectl-style age: 45s, 5m30s, 42m, 3h10m, 12h, 4d5h. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 10) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 24) return `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 && d < 10 ? `${d}d${h % 24}h` : `${d}d`;
}

/**
 * The age of a Kubernetes object at kubectl's resolution (HumanDuration): seconds under 2
 * minutes, minutes under 3 hours, then 3h10m, 12h, 4d5h, 12d, 2y30d, 9y. Unlike kubectl it
 * drops the seconds of 2–10 minutes ("7m44s"), so an age column changes at most once a minute.
 */
export function formatKubeAge(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (h < 24 * 365 * 8) return d % 365 ? `${y}y${d % 365}d` : `${y}y`;
  return `${y}y`;
}

export function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio == null || !Number.isFinite(ratio)) return '-';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatSeconds(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return '-';
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  return `${s.toFixed(s < 10 ? 2 : 1)}s`;
}

export function formatCpu(milli: number | null): string {
  if (milli == null) return '-';
  return milli >= 1000 ? `${(milli / 1000).toFixed(milli >= 10_000 ? 0 : 1)}` : `${Math.round(milli)}m`;
}

/** "564m 14%": a usage and its share of a limit or of what is allocatable. */
export function usage(text: string, pct: number | null): string {
  return pct == null ? text : `${text} ${Math.round(pct)}%`;
}

export function formatBytes(b: number | null | undefined): string {
  if (b == null || !Number.isFinite(b)) return '-';
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return '…';
  return text.slice(0, width - 1) + '…';
}

/** Names for a sentence: "a, b, c and 2 more" (a message says how many it left out, never "…"). */
export function someNames(names: string[], max = 3): string {
  const shown = names.slice(0, max);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : (shown[0] ?? '');
}
