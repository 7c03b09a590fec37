// The header line as cells, most important first; lower-priority parts are dropped to fit.
import type { IncidentInfo, SeveritySuggestion } from '../incident/types.js';
import type { MetaState } from '../store/store.js';
import type { SourceStatus } from '../sources/types.js';
import type { Cell, Token } from './cell.js';
import { formatAge, formatClock, truncate } from './format.js';

export interface HeaderInput {
  width: number;
  now: number;
  meta: MetaState;
  incident: IncidentInfo | null;
  suggestion: SeveritySuggestion;
  nextUpdateDueAt: number | null;
  /** The escalation matrix's rule that is due: "P1 for 15 min: escalate to engineering lead". */
  escalation?: string | null;
  context: string | null;
  namespaces: string[];
  /** Each source's status and when its data last arrived (epoch ms). */
  sources: Record<string, { status: SourceStatus; updatedAt: number | null }>;
  /** Polled sources whose data is older than this are shown with its age. */
  staleAfterMs: number;
  glyphs: { ok: string; warn: string; critical: string };
}

/** A long rule (a source's error) is shortened rather than pushing everything else out. */
const RULE_MAX = 56;

const SEV_TOKEN: Record<string, Token> = { P0: 'sevP0', P1: 'sevP1', P2: 'sevP2', P3: 'sevP3' };

export function headerCells(h: HeaderInput): Cell[] {
  // `shrink` gives a shorter form of a part (at most `room` wide), or null, before the part is
  // dropped; a shrunk part is dropped later, after the parts of priority 2.5.
  const parts: { cells: Cell[]; priority: number; shrink?: (room: number) => Cell[] | null }[] = [];
  parts.push({ priority: 0, cells: [{ text: ' warroom ', token: 'title', bold: true }] });
  if (h.meta.drill) {
    // The badge stays; the scenario's name inside it goes before the suggestion does.
    parts.push({ priority: 0, cells: [{ text: ' DRILL', token: 'warn', bold: true }] });
    if (h.meta.scenario) parts.push({ priority: 2.5, cells: [{ text: ` ${h.meta.scenario}`, token: 'warn', bold: true }] });
    parts.push({ priority: 0, cells: [{ text: ' ', token: 'warn', bold: true }, { text: ' ' }] });
  }
  if (h.meta.readOnly) parts.push({ priority: 0, cells: [{ text: ' READ-ONLY ', token: 'info', bold: true }, { text: ' ' }] });
  if (h.incident) {
    const i = h.incident;
    parts.push({
      priority: 0,
      cells: [
        { text: `${i.severity} `, token: SEV_TOKEN[i.severity], bold: true },
        { text: `${i.status.charAt(0).toUpperCase()}${i.status.slice(1)} `, token: 'accent', bold: true },
        { text: `${formatClock(h.now - i.declaredAt)} `, token: 'fg' },
      ],
    });
    if (h.nextUpdateDueAt && i.status !== 'resolved') {
      const left = h.nextUpdateDueAt - h.now;
      parts.push({
        priority: 1,
        cells: [
          left >= 0
            ? { text: `next update ${formatClock(left)} `, token: left < 120_000 ? 'warn' : 'muted' }
            : { text: `UPDATE OVERDUE ${formatClock(-left)} `, token: 'critical', bold: true },
        ],
      });
    }
  }
  if (h.incident && h.escalation) parts.push({ priority: 1, cells: [{ text: `${h.glyphs.warn} ${h.escalation} `, token: 'critical', bold: true }] });
  const s = h.suggestion;
  if (s.severity) {
    parts.push({
      priority: 2,
      cells: [
        { text: 'suggest ', token: 'muted' },
        { text: `${s.severity} `, token: SEV_TOKEN[s.severity], bold: true },
      ],
    });
    // On a narrow screen the rule is cut to fit, and left out only after the scenario's name:
    // "suggest P2" is the one hint to act on.
    const rule = (max: number): Cell[] => [{ text: `${truncate(s.rule, max)} `, token: 'fg' }];
    parts.push({ priority: 2.7, cells: rule(RULE_MAX), shrink: (room) => (room >= 12 ? rule(room - 1) : null) });
  } else if (s.rule === 'all clear') parts.push({ priority: 2, cells: [{ text: `${h.glyphs.ok} ${s.rule} `, token: 'ok' }] });
  else {
    // "unknown (kubernetes unreachable)", "no signals yet": not a severity, and not all clear either.
    const unknown = (max: number): Cell[] => [{ text: `${h.glyphs.warn} ${truncate(s.rule, max)} `, token: 'warn' }];
    parts.push({ priority: 2.7, cells: unknown(RULE_MAX), shrink: (room) => (room >= 14 ? unknown(room - 3) : null) });
  }
  if (h.context)
    parts.push({
      priority: 4,
      cells: [
        { text: `ctx `, token: 'muted' },
        { text: `${h.context} `, token: 'fg' },
        { text: 'ns ', token: 'muted' },
        { text: `${h.namespaces.join(',') || 'default'} `, token: 'fg' },
      ],
    });
  const srcCells: Cell[] = [];
  for (const [name, { status, updatedAt }] of Object.entries(h.sources)) {
    if (status === 'disabled') continue;
    const token: Token = status === 'ok' ? 'ok' : status === 'down' ? 'critical' : status === 'degraded' ? 'warn' : 'muted';
    const glyph = status === 'ok' ? h.glyphs.ok : status === 'down' ? h.glyphs.critical : h.glyphs.warn;
    // Data freshness: the age of the last good data when it matters (down, or older than expected).
    const age = updatedAt !== null && (status === 'down' || h.now - updatedAt > h.staleAfterMs) ? ` ${formatAge(h.now - updatedAt)}` : '';
    srcCells.push({ text: `${name}${glyph}${status === 'down' ? 'DOWN' : ''}${age} `, token, bold: status === 'down' });
  }
  if (srcCells.length) parts.push({ priority: 3, cells: srcCells });

  // Drop the least important parts, one at a time, until the line fits.
  const width = (cells: Cell[]) => cells.reduce((m, c) => m + c.text.length, 0);
  const len = (list: typeof parts) => list.reduce((n, p) => n + width(p.cells), 0);
  let kept = parts;
  while (len(kept) > h.width && kept.some((p) => p.priority > 0)) {
    const worst = kept.reduce((a, b) => (b.priority >= a.priority ? b : a));
    const shrunk = worst.shrink?.(width(worst.cells) - (len(kept) - h.width));
    if (shrunk) {
      kept = kept.map((p) => (p === worst ? { cells: shrunk, priority: 2.4 } : p));
      continue;
    }
    kept = kept.filter((p) => p !== worst);
  }
  return kept.flatMap((p) => p.cells);
}
