import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveCwd } from './cwd.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'devkit-cwd-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveCwd', () => {
  it('gives the current folder without --cwd, and an existing --cwd folder resolved', () => {
    expect(resolveCwd(undefined)).toBe(process.cwd());
    expect(resolveCwd(base)).toBe(base);
    expect(resolveCwd(join(base, '.'))).toBe(base);
  });

  it('refuses a --cwd that does not exist or is a file, as a usage error', () => {
    expect(() => resolveCwd(join(base, 'missing'))).toThrow(
      expect.objectContaining({
        code: 'E_CWD_MISSING',
        exitCode: 2,
        message: expect.stringContaining('no such folder'),
      }),
    );
    writeFileSync(join(base, 'file'), '');
    expect(() => resolveCwd(join(base, 'file'))).toThrow(
      expect.objectContaining({
        code: 'E_CWD_MISSING',
        exitCode: 2,
        hint: `pass --cwd the folder that holds it: --cwd ${base}`,
      }),
    );
  });
});
