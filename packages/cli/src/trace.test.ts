import { describe, expect, it } from 'vitest';
import { createStyle } from './render.js';
import { createCommandTrace, debugFromEnv } from './trace.js';

describe('the --verbose command trace', () => {
  it('shows start and end, and redacts the values of credential variables', () => {
    const out: string[] = [];
    const trace = createCommandTrace((t) => out.push(t), createStyle(false), {
      NPM_TOKEN: 'npm_abcdef123456',
      HOME: '/home/me',
    });
    const end = trace({ command: 'pnpm publish --//registry/:_authToken=npm_abcdef123456 /home/me', cwd: '/repo' });
    end({ exitCode: 1, signal: null, durationMs: 1500 });
    trace({ command: 'git status', cwd: '/repo' })({ exitCode: null, signal: 'SIGTERM', durationMs: 20 });
    expect(out.join('')).toBe(
      [
        '$ pnpm publish --//registry/:_authToken=*** /home/me (/repo)',
        '$ pnpm publish --//registry/:_authToken=*** /home/me → exit 1 in 1.5 s',
        '$ git status (/repo)',
        '$ git status → killed by SIGTERM in 20 ms',
        '',
      ].join('\n'),
    );
  });

  it('is on with DEVKIT_DEBUG set to anything but empty, 0 or false', () => {
    expect(debugFromEnv({ DEVKIT_DEBUG: '1' })).toBe(true);
    expect(debugFromEnv({ DEVKIT_DEBUG: 'true' })).toBe(true);
    expect(debugFromEnv({ DEVKIT_DEBUG: '0' })).toBe(false);
    expect(debugFromEnv({ DEVKIT_DEBUG: '' })).toBe(false);
    expect(debugFromEnv({})).toBe(false);
  });
});
