import { describe, expect, it } from 'vitest';
import { planAllowBuilds } from './build-scripts.js';

// What pnpm 11 writes after `pnpm add -Dw devkit` in a workspace that already approves some builds.
const AFTER_ADD = `packages:
  - packages/*

allowBuilds:
  '@swc/core': true
  cpu-features: set this to true or false
  'esbuild': true
  protobufjs: set this to true or false
  ssh2: set this to true or false
  sharp: set this to true or false
`;

describe('planAllowBuilds', () => {
  it("sets devkit's undecided dependencies to false and leaves every other line alone", () => {
    const { text, decided } = planAllowBuilds(AFTER_ADD);
    expect(decided).toEqual(['cpu-features', 'protobufjs', 'ssh2']);
    expect(text).toBe(
      AFTER_ADD.replace('cpu-features: set this to true or false', 'cpu-features: false')
        .replace('protobufjs: set this to true or false', 'protobufjs: false')
        .replace('ssh2: set this to true or false', 'ssh2: false'),
    );
    // another package's question is the repo's to answer
    expect(text).toContain('  sharp: set this to true or false\n');
  });

  it('keeps a choice already made, quoted names and CRLF line ends', () => {
    const crlf = 'allowBuilds:\r\n  \'ssh2\': "set this to true or false"\r\n  protobufjs: true\r\n';
    const { text, decided } = planAllowBuilds(crlf);
    expect(decided).toEqual(['ssh2']);
    expect(text).toBe("allowBuilds:\r\n  'ssh2': false\r\n  protobufjs: true\r\n");
    expect(planAllowBuilds(text)).toEqual({ text, decided: [] });
  });
});
