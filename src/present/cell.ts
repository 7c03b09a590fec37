// Pure presentation: formatters turn a row of data into cells carrying theme token names,
// never colours. Panes render cells with the active theme.

export type Token = 'fg' | 'muted' | 'title' | 'accent' | 'keyHint' | 'ok' | 'warn' | 'critical' | 'info' | 'sevP0' | 'sevP1' | 'sevP2' | 'sevP3';

export interface Cell {
  text: string;
  token?: Token;
  bold?: boolean;
}

export interface Column {
  title: string;
  /** Fixed width in cells, or 'flex' to share what is left. */
  width: number | 'flex';
  align?: 'left' | 'right';
  /** Lower numbers are dropped last when the pane is narrow. */
  priority?: number;
  /** Place in the bottom border's echo of what the row cuts (lower first); default the priority. */
  echo?: number;
}

/** A share of a limit: amber from 75 %, red from 90 %. */
export function usageToken(pct: number | null | undefined): Token | undefined {
  return pct == null ? undefined : pct >= 90 ? 'critical' : pct >= 75 ? 'warn' : undefined;
}

export function cell(text: string, token?: Token, bold?: boolean): Cell {
  return bold ? { text, token, bold } : token ? { text, token } : { text };
}
