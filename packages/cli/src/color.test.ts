import { describe, expect, it } from 'vitest';
import { colorEnabled, colorFlagOf } from './color.js';

describe('colorEnabled', () => {
  it('follows the stream alone when nothing is set', () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(false, {})).toBe(false);
  });

  it('turns colour off for a non-empty NO_COLOR only (no-color.org)', () => {
    expect(colorEnabled(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: 'false' })).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '' })).toBe(true);
  });

  it('turns colour off for TERM=dumb', () => {
    expect(colorEnabled(true, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled(true, { TERM: 'xterm-256color' })).toBe(true);
  });

  it('reads FORCE_COLOR as Node does: 1, 2, 3, true or empty force it on, anything else off', () => {
    for (const value of ['', '1', '2', '3', 'true', 'TRUE'])
      expect(colorEnabled(false, { FORCE_COLOR: value }), `FORCE_COLOR=${value}`).toBe(true);
    for (const value of ['0', 'false', 'no', '7'])
      expect(colorEnabled(true, { FORCE_COLOR: value }), `FORCE_COLOR=${value}`).toBe(false);
  });

  it('lets a supported FORCE_COLOR win over NO_COLOR and TERM=dumb', () => {
    expect(colorEnabled(false, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(colorEnabled(false, { FORCE_COLOR: '1', TERM: 'dumb' })).toBe(true);
    expect(colorEnabled(true, { FORCE_COLOR: '0', NO_COLOR: '' })).toBe(false);
  });

  it('lets --color and --no-color win over the environment', () => {
    expect(colorEnabled(false, { NO_COLOR: '1', TERM: 'dumb' }, true)).toBe(true);
    expect(colorEnabled(true, { FORCE_COLOR: '3' }, false)).toBe(false);
  });
});

describe('colorFlagOf', () => {
  it('takes the last of --color and --no-color, and nothing after --', () => {
    expect(colorFlagOf(['doctor'])).toBeUndefined();
    expect(colorFlagOf(['doctor', '--color'])).toBe(true);
    expect(colorFlagOf(['--color', 'doctor', '--no-color'])).toBe(false);
    expect(colorFlagOf(['exec', '--', 'ls', '--color'])).toBeUndefined();
  });
});
