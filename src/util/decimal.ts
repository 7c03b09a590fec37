// Numbers typed by people (flags, WARROOM_* variables): decimal notation only. Number() alone
// also takes "0x10", "0b1", "Infinity" and "" (as 0), none of which anyone means as a setting.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The number written in decimal (optionally with an exponent), or null for anything else. */
export function parseDecimal(text: string): number | null {
  const t = text.trim();
  if (!DECIMAL.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}
