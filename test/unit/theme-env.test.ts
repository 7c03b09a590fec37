import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorModeFromEnv, loadTheme } from '../../src/ui/theme.js';

test('colour mode follows NO_COLOR, FORCE_COLOR, the TTY and the terminal type', () => {
  const cases: [NodeJS.ProcessEnv, boolean | undefined, string][] = [
    [{ NO_COLOR: '1', TERM: 'xterm-256color', COLORTERM: 'truecolor' }, true, 'none'],
    [{ NO_COLOR: '', TERM: 'xterm-256color' }, true, 'full'],
    [{ TERM: 'xterm-256color' }, true, 'full'],
    [{ TERM: 'screen-256color' }, true, 'full'],
    [{ TERM: 'tmux-256color' }, true, 'full'],
    [{ TERM: 'xterm-kitty' }, true, 'full'],
    [{ TERM: 'xterm', COLORTERM: 'truecolor' }, true, 'full'],
    [{ TERM: 'linux' }, true, 'ansi16'],
    [{ TERM: 'linux', COLORTERM: 'truecolor' }, true, 'ansi16'],
    [{ TERM: 'xterm' }, true, 'ansi16'],
    [{ TERM: 'screen' }, true, 'ansi16'],
    [{ TERM: 'vt100' }, true, 'ansi16'],
    [{}, true, 'ansi16'],
    [{ TERM: 'dumb' }, true, 'none'],
    [{ TERM: 'xterm-256color' }, false, 'none'],
    [{ TERM: 'xterm-256color' }, undefined, 'full'],
    [{ TERM: 'xterm-256color', FORCE_COLOR: '0' }, true, 'none'],
    [{ TERM: 'xterm-256color', FORCE_COLOR: '1' }, true, 'ansi16'],
    [{ TERM: 'dumb', FORCE_COLOR: '3' }, false, 'full'],
    [{ NO_COLOR: 'yes', FORCE_COLOR: '3' }, true, 'none'],
  ];
  for (const [env, tty, want] of cases) {
    assert.equal(colorModeFromEnv(env, tty), want, `${JSON.stringify(env)} tty=${tty}`);
  }
});

test('an explicit colour mode overrides the environment', () => {
  const { theme } = loadTheme('dark', { env: { NO_COLOR: '1' }, colorMode: 'full' });
  assert.equal(theme.colorMode, 'full');
  assert.equal(theme.style('ok').color, '#3fb950');
});

test('style() objects are stable and a token outside the set falls back to fg', () => {
  const { theme } = loadTheme('dark', { env: {}, colorMode: 'full' });
  assert.equal(theme.style('critical'), theme.style('critical'));
  assert.ok(Object.isFrozen(theme.style('critical')));
  assert.deepEqual(theme.style('nonsense' as 'fg'), theme.style('fg'));
});
