import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { usageError } from '@devkit/core';
import {
  annotationsFromError,
  appendStepSummary,
  escapeData,
  escapeProperty,
  formatAnnotation,
  renderSummary,
} from './github.js';

const dir = mkdtempSync(join(tmpdir(), 'devkit-github-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('workflow commands', () => {
  it('escapes data and properties as the toolkit does', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('names the file relative to the workspace, with line, column and title', () => {
    const line = formatAnnotation(
      {
        level: 'error',
        file: '/ws/repo/src/a.ts',
        line: 3,
        column: 7,
        title: 'eslint: no-unused-vars',
        message: "'x' is unused\nfix: remove it",
      },
      '/ws',
    );
    expect(line).toBe(
      "::error file=repo/src/a.ts,line=3,col=7,title=eslint%3A no-unused-vars::'x' is unused%0Afix: remove it",
    );
    expect(formatAnnotation({ level: 'warning', message: 'no place' }, '/ws')).toBe('::warning::no place');
    expect(formatAnnotation({ level: 'error', file: '/elsewhere/x', message: 'm' }, '/ws')).toBe(
      '::error file=/elsewhere/x::m',
    );
  });

  it("turns a devkit.json error into one annotation per issue at the key's position", () => {
    const error = usageError('E_CONFIG_INVALID', 'devkit.json is not valid', {
      hint: 'fix the key above',
      details: {
        file: '/ws/devkit.json',
        issues: [
          {
            file: '/ws/devkit.json',
            line: 4,
            column: 5,
            keyPath: 'toolchain.node',
            message: 'expected string, found 24',
            expected: 'string',
          },
        ],
      },
    });
    expect(annotationsFromError(error)).toEqual([
      {
        level: 'error',
        file: '/ws/devkit.json',
        line: 4,
        column: 5,
        title: 'E_CONFIG_INVALID toolchain.node',
        message: 'expected string, found 24\nfix: fix the key above',
      },
    ]);
    const unknownKey = usageError('E_CONFIG_INVALID', 'devkit.json is not valid', {
      details: {
        issues: [
          {
            file: '/ws/devkit.json',
            line: 2,
            column: 3,
            keyPath: 'servces',
            message: 'unknown key "servces"',
            expected: 'one of services, hooks',
          },
        ],
      },
    });
    expect(annotationsFromError(unknownKey)[0]!.message).toBe(
      'unknown key "servces" (expected one of services, hooks)',
    );
    expect(annotationsFromError(usageError('E_X', 'plain'))).toEqual([
      { level: 'error', file: undefined, line: undefined, title: 'E_X', message: 'plain' },
    ]);
  });
});

describe('the step summary', () => {
  it('shows a build: artifacts with digest, size and reuse, native targets, turbo cache hits', () => {
    const md = renderSummary(
      [
        {
          kind: 'build',
          commit: 'abc123',
          dirty: false,
          deployables: [{ name: 'api', reuse: null, reason: 'new' }],
          native: [{ package: '@acme/fastdiff', target: 'linux-x64-gnu', builder: 'bullseye' }],
          artifacts: [
            {
              name: 'api',
              digest: 'sha256:aaa',
              size: 2048,
              reused: false,
              layers: [{ part: 'app', digest: 'sha256:l', size: 1024 }],
            },
            { name: 'web', digest: 'sha256:bbb', size: 10, reused: true, layers: [] },
          ],
          turbo: { cached: 2, total: 3 },
        },
      ],
      { command: 'build', exitCode: 0 },
      '/ws',
    );
    expect(md).toContain('### ✅ devkit build');
    expect(md).toContain('| api | `sha256:aaa` | 2.0 KiB | app 1.0 KiB | built |');
    expect(md).toContain('| web | `sha256:bbb` | 10 B |  | reused (inputs unchanged) |');
    expect(md).toContain('| @acme/fastdiff | linux-x64-gnu | bullseye |');
    expect(md).toContain('turbo: 2 of 3 tasks replayed from its cache');
  });

  it('shows what a failed command knew, and the error', () => {
    const md = renderSummary(
      [
        {
          kind: 'build',
          commit: 'abc',
          dirty: true,
          deployables: [{ name: 'api', reuse: null, reason: 'no earlier build' }],
          native: [],
        },
      ],
      {
        command: 'build',
        exitCode: 1,
        error: usageError('E_BUILD_FAILED', 'turbo failed | badly', { hint: 'fix it' }),
      },
      '/ws',
    );
    expect(md).toContain('### ❌ devkit build');
    expect(md).toContain('| api | pack: no earlier build |');
    expect(md).toContain('E_BUILD_FAILED: turbo failed | badly');
    expect(renderSummary([], { command: 'lint', exitCode: 0 }, '/ws')).toBe('');
  });

  it('shows a promotion with its gates and a findings table with escaped cells', () => {
    const md = renderSummary(
      [
        {
          kind: 'promotion',
          action: 'promote',
          name: 'api',
          environment: 'production',
          from: 'sha256:old',
          to: 'sha256:new',
          actor: 'ci:alice',
          reason: null,
          forced: false,
          gates: [{ gate: 'from', status: 'passed', reason: 'was in staging' }],
          outcome: 'moved',
        },
        {
          kind: 'findings',
          command: 'lint',
          rows: [{ file: '/ws/a|b.ts', line: 2, code: 'rule', message: 'x | y\nmore' }],
        },
      ],
      { command: 'promote', exitCode: 0 },
      '/ws',
    );
    expect(md).toContain('| from | `sha256:old` |');
    expect(md).toContain('| actor | ci:alice |');
    expect(md).toContain('| from | passed | was in staging |');
    expect(md).toContain('| `a\\|b.ts` | 2 | rule | x \\| y |');
  });

  it('appends to the summary file, keeping what was there', () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, 'before\n');
    expect(appendStepSummary({ GITHUB_STEP_SUMMARY: file }, 'after\n')).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe('before\nafter\n');
    expect(appendStepSummary({ GITHUB_STEP_SUMMARY: join(dir, 'no', 'such') }, 'x')).toMatch(/could not append/);
  });
});
