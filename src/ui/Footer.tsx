// The footer: the latest message for a few seconds, the filter being typed, or the key hints
// for the focused pane (generated from the keymap, mutating keys marked when read-only).
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { useCockpit, useSelect } from './context.js';
import { fitLine } from './widgets/Pane.js';
import { paintCells } from './ansi.js';
import { filterMatcher } from './panes/model.js';
import { logsKeys } from './logs-viewer.js';
import { viewerHints } from './viewer/viewer.js';
import type { State } from '../store/store.js';
import type { Cell, Token } from '../present/cell.js';

const TOAST_MS = 6000;
const LEVEL_TOKEN: Record<string, Token> = { info: 'info', success: 'ok', warn: 'warn', error: 'critical' };

export function Footer({ width }: { width: number }) {
  const { theme, keymap, runner } = useCockpit();
  // Toasts are stamped with the wall clock (the drill's data clock may run faster).
  const now = Date.now;
  const focus = useSelect((s) => s.ui.focus);
  const editing = useSelect((s) => s.ui.filterEditing);
  const filter = useSelect((s) => (s.ui.filterEditing ? (s.ui.filter[s.ui.filterEditing] ?? '') : ''));
  const command = useSelect((s) => s.ui.command);
  const toast = useSelect((s) => s.ui.toasts[s.ui.toasts.length - 1]);
  const readOnly = useSelect((s) => s.meta.readOnly);
  const overlay = useSelect((s) => s.ui.overlay);
  const dialog = useSelect((s) => s.ui.dialog !== null);
  const [, setTick] = useState(0);
  const showToast = toast && now() - toast.at < TOAST_MS;
  useEffect(() => {
    if (!showToast) return;
    const t = setTimeout(() => setTick((n) => n + 1), TOAST_MS - (now() - toast.at) + 10);
    t.unref?.();
    return () => clearTimeout(t);
  }, [toast, showToast, now]);

  let cells: Cell[];
  if (command) {
    cells = [
      { text: ` :${command.text}▏`, token: 'fg', bold: true },
      { text: `  ${command.hint}`, token: command.error ? 'warn' : 'muted', bold: command.error },
    ];
  } else if (editing) {
    cells = [
      { text: ' filter ', token: 'keyHint', bold: true },
      { text: `/${filter}▏`, token: 'fg' },
      { text: `  ${filterMatcher(filter)?.plain ? 'not a valid regex: matching as text · ' : ''}Enter keep · Esc clear`, token: 'muted' },
    ];
  } else if (showToast) {
    cells = [{ text: ` ${toast.message}`, token: LEVEL_TOKEN[toast.level], bold: toast.level === 'error' }];
  } else if (dialog) {
    // The pane's keys would read as if the dialog had closed.
    cells = [{ text: ' keys go to the dialog above (its own line says which) · Esc steps back or cancels', token: 'muted' }];
  } else if (overlay) {
    // The keys go to the view on top, not the pane under it (`s` is since in logs, not shell).
    cells = [{ text: ` ${overlayKeys(overlay)}`, token: 'muted' }];
  } else {
    cells = [];
    const hints = keymap.commands.filter((c) => c.footer && (c.scope === focus || c.scope === 'global') && c.keys.length);
    const scoped = [...hints.filter((c) => c.scope === focus), ...hints.filter((c) => c.scope === 'global')];
    for (const c of scoped) {
      const disabled = c.mutating && readOnly && !!runner.get(c.id);
      cells.push({ text: ` ${c.keys[0]}`, token: disabled ? 'muted' : 'keyHint', bold: !disabled });
      cells.push({ text: ` ${c.label}${disabled ? ' (read-only)' : ''} `, token: 'muted' });
    }
  }
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">{paintCells(fitLine(cells, width), theme)}</Text>
    </Box>
  );
}

function overlayKeys(overlay: NonNullable<State['ui']['overlay']>): string {
  if (overlay.kind === 'logs') return logsKeys(overlay);
  if (overlay.kind === 'viewer') return viewerHints(overlay);
  return '↑/↓ scroll · Esc or ? close';
}
