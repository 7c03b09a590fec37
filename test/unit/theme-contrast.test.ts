import { test } from 'node:test';
import assert from 'node:assert/strict';
import { THEME_TOKENS, listThemes, loadTheme, type ThemeToken } from '../../src/ui/theme.js';

// WCAG 2 relative luminance and contrast ratio.
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// Borders are not text; dimmed text (P3) is deliberately quiet.
const SKIP = new Set<ThemeToken>(['bg', 'border']);

test('every text token is readable on its background (4.5:1, 7:1 for high-contrast)', () => {
  const themes = listThemes();
  assert.ok(themes.length >= 4);
  for (const name of themes) {
    const { theme, warnings } = loadTheme(name, { env: {}, colorMode: 'full' });
    assert.deepEqual(warnings, []);
    const base = theme.style('bg').backgroundColor!;
    const min = name === 'high-contrast' ? 7 : 4.5;
    for (const t of THEME_TOKENS) {
      if (SKIP.has(t)) continue;
      const s = theme.style(t);
      if (s.dimColor) continue;
      const bg = s.backgroundColor ?? base;
      const ratio = contrast(s.color!, bg);
      const need = t === 'muted' || t === 'borderFocused' ? Math.min(min, 4.5) : min;
      assert.ok(ratio >= need, `${name}.${t}: ${s.color} on ${bg} is ${ratio.toFixed(2)}:1, need ${need}:1`);
    }
    assert.ok(contrast(theme.style('fg').color!, base) >= 7, `${name}: body text`);
  }
});
