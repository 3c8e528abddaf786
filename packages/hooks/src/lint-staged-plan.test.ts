import { describe, expect, it } from 'vitest';
import type { LintStagedConfig } from './lint-staged-config.js';
import { defaultMaxArgLength, planLintStaged, type LintStagedGroup } from './lint-staged-plan.js';

const root = '/repo';
const config = (file: string, dir: string, entries: Record<string, string>): LintStagedConfig => ({
  file,
  dir,
  entries: Object.entries(entries).map(([glob, task]) => ({ glob, tasks: [task] })),
});
const shape = (groups: LintStagedGroup[]) => groups.map((g) => [g.config, g.glob, g.cwd, g.files]);

describe('planLintStaged (lint-staged 16 semantics)', () => {
  it('several configs: a file goes to its closest config, whose globs match from its folder and whose commands run there', () => {
    const configs = [
      config('packages/a/.lintstagedrc.json', 'packages/a', { 'src/*.js': 'a-src', '*.md': 'a-md' }),
      config('.lintstagedrc.json', '', { '*.js': 'root-js' }),
    ];
    const groups = planLintStaged(configs, ['packages/a/src/x.js', 'packages/a/y.js', 'packages/b/z.js', 'r.js'], {
      root,
    });
    expect(shape(groups)).toEqual([
      ['packages/a/.lintstagedrc.json', 'src/*.js', '/repo/packages/a', ['packages/a/src/x.js']],
      ['packages/a/.lintstagedrc.json', '*.md', '/repo/packages/a', []],
      ['.lintstagedrc.json', '*.js', '/repo', ['packages/b/z.js', 'r.js']],
    ]);
  });

  it('one config in a package: it takes only the files under it, but matches and runs from the root', () => {
    const groups = planLintStaged(
      [config('packages/a/.lintstagedrc.json', 'packages/a', { 'src/*.js': 'a-src', '*.js': 'a-js' })],
      ['packages/a/src/x.js', 'other.js'],
      { root },
    );
    expect(shape(groups)).toEqual([
      ['packages/a/.lintstagedrc.json', 'src/*.js', '/repo', []],
      ['packages/a/.lintstagedrc.json', '*.js', '/repo', ['packages/a/src/x.js']],
    ]);
  });

  it('a config with a glob starting with .. takes every file not yet taken, even those of later configs', () => {
    const groups = planLintStaged(
      [
        config('packages/a/package.json', 'packages/a', { '../../*.md': 'docs' }),
        config('packages/b/package.json', 'packages/b', { '*.js': 'b' }),
      ],
      ['README.md', 'packages/b/x.js', 'packages/a/a.md'],
      { root },
    );
    // packages/b's config gets no file at all, so nothing of it is planned.
    expect(shape(groups)).toEqual([['packages/a/package.json', '../../*.md', '/repo/packages/a', ['README.md']]]);
  });

  it("chunks a config's files evenly when their paths would make a command line too long", () => {
    const files = ['a/1.js', 'a/2.js', 'a/3.js', 'a/4.js', 'a/5.js'];
    const groups = planLintStaged([config('.lintstagedrc', '', { '*.js': 'js' })], files, {
      root,
      maxArgLength: 30, // "/repo/a/1.js" is 12 characters: 5 files and 4 spaces make 64, so 3 chunks
    });
    expect(groups.map((g) => g.files)).toEqual([['a/1.js', 'a/2.js'], ['a/3.js', 'a/4.js'], ['a/5.js']]);
    expect(defaultMaxArgLength('linux')).toBe(65_536);
  });

  it('dot files match, and a glob without a slash matches the name in any folder', () => {
    const groups = planLintStaged(
      [config('.lintstagedrc', '', { '*.js': 'js', 'src/*.js': 'src' })],
      ['.x/.a.js', 'src/b.js', 'src/c/d.js'],
      {
        root,
      },
    );
    expect(shape(groups).map((g) => g[3])).toEqual([['.x/.a.js', 'src/b.js', 'src/c/d.js'], ['src/b.js']]);
  });
});
