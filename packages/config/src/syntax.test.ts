import { describe, expect, it } from 'vitest';
import { DevkitError } from '@devkit/core';
import { parseConfig } from './validate.js';

function syntaxMessage(text: string): string {
  try {
    parseConfig(text, '/repo/devkit.json', '/repo');
  } catch (error) {
    if (error instanceof DevkitError) return error.message;
    throw error;
  }
  throw new Error('expected parseConfig to throw');
}

describe('devkit.json as JSONC', () => {
  it('accepts comments and trailing commas', () => {
    const config = parseConfig(
      [
        '// the repo pins',
        '{',
        '  /* toolchain */ "toolchain": { "node": ">=20", },',
        '  "hooks": { "pre-commit": ["lint-staged", "lockfile",], }, // trailing',
        '}',
      ].join('\n'),
      '/repo/devkit.json',
    );
    expect(config).toEqual({ toolchain: { node: '>=20' }, hooks: { 'pre-commit': ['lint-staged', 'lockfile'] } });
  });

  it('still locates schema problems to the key in a file with comments', () => {
    expect(() =>
      parseConfig('{\n  // services\n  "services": { "redis": { "version": 7 } },\n}\n', '/repo/devkit.json', '/repo'),
    ).toThrow(/devkit\.json:3:28 services\.redis\.version: expected string, found number 7/);
  });
});

describe('syntax errors', () => {
  it("points at a property name missing after ',' with the line and a caret", () => {
    const text = '{\n  "toolchain": { "node": ">=20" },\n  , "hooks": {}\n}\n';
    expect(syntaxMessage(text)).toBe(
      [
        "devkit.json:3:3: expected a property name after ',', found ','",
        '  3 |   , "hooks": {}',
        '    |   ^',
        '  (1 more syntax error after it, often caused by this one)',
      ].join('\n'),
    );
  });

  it("puts a missing ',' right after the value before it, not at the next line's key", () => {
    const text = '{\n  "toolchain": { "node": ">=20" }\n  "hooks": {}\n}\n';
    expect(syntaxMessage(text)).toBe(
      [
        `devkit.json:2:34: expected ',' after '}', before "hooks" on line 3`,
        '  2 |   "toolchain": { "node": ">=20" }',
        '    |                                  ^',
      ].join('\n'),
    );
  });

  it("names a missing ':' and a missing value", () => {
    expect(syntaxMessage('{ "toolchain" { } }')).toMatch(
      /^devkit\.json:1:14: expected ':' after "toolchain", found '\{'/,
    );
    expect(syntaxMessage('{ "toolchain": }')).toMatch(/^devkit\.json:1:16: expected a value after ':', found '\}'/);
  });

  it('says single quotes are not JSON', () => {
    expect(syntaxMessage("{ 'toolchain': {} }")).toMatch(/^devkit\.json:1:3: .*double quotes/);
  });

  it('reports an unclosed object and an unclosed comment at the end', () => {
    expect(syntaxMessage('{ "toolchain": {}\n')).toMatch(/^devkit\.json:2:1: expected '\}' to close an object/);
    expect(syntaxMessage('{ /* toolchain\n}\n')).toMatch(/a comment is not closed/);
  });

  it('keeps tabs under the caret so it lines up', () => {
    expect(syntaxMessage('{\n\t"a": 1 "b": 2\n}')).toContain('  2 | \t"a": 1 "b": 2\n    | \t      ^');
  });
});
