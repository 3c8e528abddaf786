import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../command-tree.js';
import { GLOBAL_FLAGS } from '../commands.js';
import type { CompletionSource } from '../spec.js';
import { completeWords, formatCompletion, type Completion } from './complete.js';

const NAMES: Partial<Record<CompletionSource, string[]>> = {
  services: ['postgres', 'redis'],
  environments: ['staging', 'production'],
  deployables: ['api', 'web'],
  targets: ['linux-x64-gnu', 'darwin-arm64'],
  hooks: ['pre-commit', 'pre-push'],
};

function complete(line: string): Completion {
  const words = line.split(' ');
  return completeWords(COMMANDS, GLOBAL_FLAGS, words, (source) => NAMES[source] ?? []);
}

function values(line: string): string[] {
  const completion = complete(line);
  return completion.kind === 'words' ? completion.candidates.map((c) => c.value) : [`<${completion.kind}>`];
}

describe('completeWords', () => {
  it('offers the commands, without hidden ones, and subcommands', () => {
    const top = values('');
    expect(top).toEqual(expect.arrayContaining(['bootstrap', 'doctor', 'artifact', 'completion', 'help']));
    expect(top).not.toContain('__complete');
    expect(values('d')).toEqual(['doctor', 'down']);
    expect(values('artifact p')).toEqual(['push', 'pull']);
    expect(values('help artifact ')).toContain('inspect');
  });

  it("offers a command's flags and the global ones", () => {
    expect(values('bootstrap --')).toEqual(expect.arrayContaining(['--yes', '--dry-run', '--no-services', '--json']));
    expect(values('bootstrap --d')).toEqual(['--dry-run']);
    expect(values('doctor ')).toContain('--cwd');
  });

  it("offers a flag's fixed values and devkit.json's names", () => {
    expect(values('env --format ')).toEqual(['dotenv', 'json', 'shell']);
    expect(values('env --format=j')).toEqual(['--format=json']);
    expect(values('promote api@sha256:abc --to ')).toEqual(['staging', 'production']);
    expect(values('rollback api --env p')).toEqual(['production']);
    expect(values('rollback ')).toEqual(['api', 'web']);
  });

  it('reads bash\'s split "--format", "=", "j" as the flag and its value', () => {
    expect(values('env --format = j')).toEqual(['json']);
    expect(values('env --format =')).toEqual(['dotenv', 'json', 'shell']);
  });

  it('completes every service of a variadic argument, after flags too', () => {
    expect(values('up ')).toEqual(['postgres', 'redis']);
    expect(values('up postgres --timeout 30 r')).toEqual(['redis']);
    expect(values('logs ')).toEqual(['postgres', 'redis']);
    expect(values('hooks run pre-p')).toEqual(['pre-push']);
  });

  it('completes the item after the last comma of a list flag, leaving out those given', () => {
    expect(values('native build --target linux-x64-gnu,')).toEqual(['linux-x64-gnu,darwin-arm64']);
  });

  it('hands files and folders to the shell', () => {
    expect(values('native verify ')).toEqual(['<files>']);
    expect(values('doctor --cwd ')).toEqual(['<dirs>']);
    expect(values('artifact extract api ')).toEqual(['<dirs>']);
  });

  it('offers nothing after an unknown command or for a value it cannot know', () => {
    expect(values('nope ')).toEqual([]);
    expect(values('history api --env staging ')).toContain('--json');
    expect(values('rollback api --to ')).toEqual([]);
    expect(values('exec -- l')).toEqual([]);
  });
});

describe('formatCompletion', () => {
  it('prints the kind, then one candidate per line with its description after a tab', () => {
    expect(
      formatCompletion({
        kind: 'words',
        candidates: [{ value: 'up', description: 'start\tservices\nmore' }, { value: 'up' }, { value: 'down' }],
      }),
    ).toEqual(['words', 'up\tstart services', 'down']);
    expect(formatCompletion({ kind: 'dirs' })).toEqual(['dirs']);
  });
});
