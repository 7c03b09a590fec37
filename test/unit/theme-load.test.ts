import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { tempDir } from '../helpers/net.js';
import { ANSI16_NAMES, THEMES_DIR, THEME_TOKENS, listThemes, loadTheme, type ColorMode, type Theme } from '../../src/ui/theme.js';

const SHIPPED = ['dark', 'light', 'high-contrast', 'colorblind'];
const NO_ENV = {}; // no NO_COLOR, TERM, XDG_CONFIG_HOME or HOME: only the built-in themes dir is searched

function darkWith(edit: (text: string) => string): string {
  const text = fs.readFileSync(path.join(THEMES_DIR, 'dark.yaml'), 'utf8');
  const out = edit(text);
  assert.notEqual(out, text, 'the edit must change the file');
  return out;
}

function lineNumberOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in file`);
  return i + 1;
}

test('every shipped theme loads without warnings and defines every token in full and 16 colours', () => {
  assert.deepEqual(
    listThemes()
      .filter((n) => SHIPPED.includes(n))
      .sort(),
    [...SHIPPED].sort(),
  );
  for (const name of SHIPPED) {
    const raw = parse(fs.readFileSync(path.join(THEMES_DIR, `${name}.yaml`), 'utf8'));
    assert.deepEqual(Object.keys(raw.tokens).sort(), [...THEME_TOKENS].sort(), `${name}: tokens`);
    assert.deepEqual(Object.keys(raw.ansi16).sort(), [...THEME_TOKENS].sort(), `${name}: ansi16`);
    for (const mode of ['full', 'ansi16', 'none'] as ColorMode[]) {
      const { theme, warnings } = loadTheme(name, { env: NO_ENV, colorMode: mode });
      assert.deepEqual(warnings, [], `${name}/${mode}`);
      assert.equal(theme.name, name);
      assert.equal(theme.colorMode, mode);
    }
    const full = loadTheme(name, { env: NO_ENV, colorMode: 'full' }).theme;
    for (const t of THEME_TOKENS) assert.match(full.style(t).color ?? '', /^#[0-9a-f]{6}$/, `${name}.${t}`);
  }
});

test('themes tell states apart without colour: selection inverse, critical and P0 bold, focus bold', () => {
  for (const name of SHIPPED) {
    const { theme } = loadTheme(name, { env: NO_ENV, colorMode: 'none' });
    assert.equal(theme.style('selection').inverse, true, `${name} selection`);
    assert.equal(theme.style('critical').bold, true, `${name} critical`);
    assert.equal(theme.style('sevP0').bold, true, `${name} P0`);
    assert.equal(theme.style('sevP0').inverse, true, `${name} P0`);
    assert.equal(theme.style('borderFocused').bold, true, `${name} focus`);
    assert.notDeepEqual(theme.style('sevP0'), theme.style('sevP2'), `${name} P0 vs P2`);
    assert.notDeepEqual(theme.style('badgeDrill'), theme.style('fg'), `${name} drill badge`);
  }
});

test('NO_COLOR gives no colours but keeps bold, inverse, underline and dim', () => {
  const { theme, warnings } = loadTheme('high-contrast', { env: { NO_COLOR: '1', COLORTERM: 'truecolor' } });
  assert.deepEqual(warnings, []);
  assert.equal(theme.colorMode, 'none');
  for (const t of THEME_TOKENS) {
    assert.equal(theme.style(t).color, undefined, t);
    assert.equal(theme.style(t).backgroundColor, undefined, t);
  }
  assert.deepEqual(theme.style('sevP0'), { bold: true, inverse: true });
  assert.deepEqual(theme.style('critical'), { bold: true, underline: true });
  assert.equal(loadTheme('dark', { env: { NO_COLOR: '1' } }).theme.style('sevP3').dimColor, true);
  // NO_COLOR set but empty does not disable colour (no-color.org)
  assert.equal(loadTheme('dark', { env: { NO_COLOR: '', COLORTERM: 'truecolor' } }).theme.colorMode, 'full');
});

test('16-colour mode uses only the hand-chosen 16-colour names', () => {
  const allowed = new Set<string>(ANSI16_NAMES.filter((n) => n !== 'default'));
  for (const name of SHIPPED) {
    const { theme } = loadTheme(name, { env: { TERM: 'xterm' } });
    assert.equal(theme.colorMode, 'ansi16');
    let colours = 0;
    for (const t of THEME_TOKENS) {
      const s = theme.style(t);
      for (const c of [s.color, s.backgroundColor]) {
        if (c === undefined) continue;
        colours++;
        assert.ok(allowed.has(c), `${name}.${t}: ${c} is not a 16-colour name`);
      }
    }
    assert.ok(colours >= THEME_TOKENS.length - 1, `${name}: most tokens have a colour`);
  }
  assert.equal(loadTheme('dark', { env: NO_ENV, colorMode: 'ansi16' }).theme.style('critical').color, 'redBright');
});

test('a broken theme file falls back to dark with a warning naming file, line and what was expected', () => {
  const dir = tempDir();
  const file = path.join(dir, 'mine.yaml');
  const text = darkWith((t) => t.replace('warn:          { fg: yellow }', 'warn:          { fg: oragne }'));
  fs.writeFileSync(file, text);
  const { theme, warnings } = loadTheme(file, { env: NO_ENV, colorMode: 'full' });
  assert.equal(theme.name, 'dark');
  assert.equal(theme.style('warn').color, '#d29922');
  const line = lineNumberOf(text, 'oragne');
  assert.ok(
    warnings.some((w) => w.includes(`mine.yaml:${line}: tokens.warn.fg: "oragne" is not a palette colour or #rrggbb`)),
    warnings.join('\n'),
  );
  assert.ok(warnings.some((w) => w.includes('using the default theme "dark"')));
});

test('YAML syntax errors, unknown and missing tokens, bad 16-colour names and schema errors are located', () => {
  const dir = tempDir();
  const cases: { name: string; text: string; expect: (text: string) => RegExp }[] = [
    {
      name: 'syntax',
      text: 'palette:\n  a: "#fff"\ntokens: [\n  fg: 1\n',
      expect: () => /syntax\.yaml:\d+: YAML syntax error/,
    },
    {
      name: 'unknown',
      text: darkWith((t) => t.replace('  info:          { fg: blue }', '  infoo:         { fg: blue }')),
      expect: (t) => new RegExp(`unknown\\.yaml:${lineNumberOf(t, 'infoo')}: tokens\\.infoo: unknown token "infoo"`),
    },
    {
      name: 'missing',
      text: darkWith((t) => t.replace('  info:          { fg: blue }\n', '')),
      expect: (t) => new RegExp(`missing\\.yaml:${lineNumberOf(t, 'tokens:')}: tokens: missing token "info"`),
    },
    {
      name: 'ansi',
      text: darkWith((t) => t.replace('  ok:            green', '  ok:            lime')),
      expect: (t) => new RegExp(`ansi\\.yaml:${lineNumberOf(t, 'lime')}: ansi16\\.ok: "lime" is not a 16-colour name`),
    },
    {
      name: 'palette',
      text: darkWith((t) => t.replace('  green: "#3fb950"', '  green: "#3fb95"')),
      expect: (t) => new RegExp(`palette\\.yaml:${lineNumberOf(t, '#3fb95"')}: palette\\.green: "#3fb95" is not a #rrggbb colour`),
    },
    {
      name: 'types',
      text: darkWith((t) => t.replace('critical:      { fg: lightRed, bold: true }', 'critical:      { fg: lightRed, bold: yes, blink: true }')),
      expect: (t) => new RegExp(`types\\.yaml:${lineNumberOf(t, 'blink')}: tokens\\.critical\\.(bold: expected true or false|blink: unknown key)`),
    },
  ];
  for (const c of cases) {
    const file = path.join(dir, `${c.name}.yaml`);
    fs.writeFileSync(file, c.text);
    const { theme, warnings } = loadTheme(file, { env: NO_ENV });
    assert.equal(theme.name, 'dark', c.name);
    assert.ok(
      warnings.some((w) => c.expect(c.text).test(w)),
      `${c.name}:\n${warnings.join('\n')}`,
    );
  }
});

test('a missing file or an unknown theme name falls back to dark and lists the available themes', () => {
  const missing = loadTheme(path.join(tempDir(), 'nope.yaml'), { env: NO_ENV });
  assert.equal(missing.theme.name, 'dark');
  assert.match(missing.warnings[0], /nope\.yaml: cannot read theme file \(no such file\)/);

  const unknown = loadTheme('solarised', { env: NO_ENV });
  assert.equal(unknown.theme.name, 'dark');
  assert.match(unknown.warnings[0], /unknown theme "solarised"; available themes: .*colorblind, dark, high-contrast, light/);
});

test('a broken default theme still gives a usable colourless theme', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'dark.yaml'), 'tokens: [');
  const { theme, warnings } = loadTheme('dark', { themesDir: dir, env: NO_ENV, colorMode: 'full' });
  assert.equal(theme.name, 'plain');
  assert.equal(theme.style('critical').color, undefined);
  assert.equal(theme.style('selection').inverse, true);
  assert.match(warnings.join('\n'), /dark\.yaml:1: YAML syntax error/);
});

test('user themes in $XDG_CONFIG_HOME/warroom/themes are found by name', () => {
  const home = tempDir();
  const dir = path.join(home, 'warroom', 'themes');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'ours.yaml'),
    darkWith((t) => t.replace('  green: "#3fb950"', '  green: "#00ff00"')),
  );
  const { theme, warnings } = loadTheme('ours', { env: { XDG_CONFIG_HOME: home }, colorMode: 'full' });
  assert.deepEqual(warnings, []);
  assert.equal(theme.name, 'ours');
  assert.equal(theme.style('ok').color, '#00ff00');
  assert.match(loadTheme('nope', { env: { XDG_CONFIG_HOME: home } }).warnings[0], /available themes: .*ours/);
});

test('glyphs: unicode by default, ascii on the Linux console or on request', () => {
  const uni = loadTheme('dark', { env: NO_ENV }).theme;
  assert.equal(uni.glyphs.critical, '✖');
  assert.equal(uni.glyphs.spark.join(''), '▁▂▃▄▅▆▇█');
  assert.equal(uni.glyphs.borderStyle, 'round');

  const linux = loadTheme('dark', { env: { TERM: 'linux' } }).theme;
  assert.equal(linux.colorMode, 'ansi16');
  assert.equal(linux.glyphs.spark.join(''), '_.-=+*#@');
  assert.equal(linux.glyphs.borderStyle, 'classic');
  for (const g of Object.values(linux.glyphs).flat()) assert.match(g, /^[\x20-\x7e]+$/, `${g} is ASCII`);

  assert.equal(loadTheme('dark', { env: NO_ENV, glyphs: 'ascii' }).theme.glyphs.ok, 'o');
  assert.equal(loadTheme('dark', { env: { TERM: 'linux' }, glyphs: 'unicode' }).theme.glyphs.ok, '●');
});

// Ink's colours go through chalk, which turns itself off when stdout is not a TTY. Force it on
// before ink is first imported so the test sees exactly what a colour terminal would get.
process.env.FORCE_COLOR = '3';

function sgrParams(out: string): number[][] {
  return [...out.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => m[1].split(';').map(Number));
}

function hasColourCode(out: string): boolean {
  return sgrParams(out).some((ps) => {
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      if (p === 38 || p === 48) return true;
      if ((p >= 30 && p <= 37) || (p >= 40 && p <= 47) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107)) return true;
    }
    return false;
  });
}

async function renderStyled(theme: Theme, token: 'critical' | 'selection'): Promise<string> {
  const React = await import('react');
  const { Text } = await import('ink');
  const { render } = await import('ink-testing-library');
  const r = render(React.createElement(Text, theme.style(token), 'x'));
  const out = r.lastFrame() ?? '';
  r.unmount();
  return out;
}

test('rendered with Ink under NO_COLOR: bold and inverse escape codes, no colour codes', async () => {
  const full = await renderStyled(loadTheme('dark', { env: { COLORTERM: 'truecolor' } }).theme, 'critical');
  assert.ok(hasColourCode(full), `control: colour codes expected in full mode, got ${JSON.stringify(full)}`);

  const noColor = loadTheme('dark', { env: { NO_COLOR: '1', COLORTERM: 'truecolor' } }).theme;
  const crit = await renderStyled(noColor, 'critical');
  assert.ok(crit.includes('\x1b[1m'), `bold expected in ${JSON.stringify(crit)}`);
  assert.ok(!hasColourCode(crit), `no colour expected in ${JSON.stringify(crit)}`);

  const sel = await renderStyled(noColor, 'selection');
  assert.ok(sel.includes('\x1b[7m'), `inverse expected in ${JSON.stringify(sel)}`);
  assert.ok(!hasColourCode(sel), `no colour expected in ${JSON.stringify(sel)}`);
});
