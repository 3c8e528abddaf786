import { relative } from 'node:path';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { usageError } from '@devkit/core';
import { DevkitConfigSchema, type DevkitConfig } from './schema.js';
import { checkConfigRules } from './rules.js';
import { closest, describeValue } from './describe.js';
import { offsetOf } from './locate.js';
import { formatKeyPath, positionAt } from './keypath.js';

/** One thing wrong with devkit.json, located to the character. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  keyPath: string;
  expected: string;
  found: string;
  message: string;
}

/**
 * Parses and validates devkit.json text. Pure: throws a DevkitError (exit 2) listing every issue.
 * Messages show `file` relative to `shownFrom` (the folder the user ran devkit in) when given.
 */
export function parseConfig(text: string, file: string, shownFrom?: string): DevkitConfig {
  const syntaxErrors: ParseError[] = [];
  const tree = parseTree(text, syntaxErrors, { allowTrailingComma: false, disallowComments: true });
  if (syntaxErrors.length > 0 || !tree) {
    const issues = syntaxErrors.map((error): ConfigIssue => {
      const { line, column } = positionAt(text, error.offset);
      const found = text.slice(error.offset, error.offset + Math.max(1, error.length)).trim() || 'end of file';
      return {
        file,
        line,
        column,
        keyPath: '(syntax)',
        expected: 'valid JSON',
        found: JSON.stringify(found),
        message: `invalid JSON: ${printParseErrorCode(error.error)}`,
      };
    });
    throw configError(
      file,
      shownFrom,
      issues.length
        ? issues
        : [
            {
              file,
              line: 1,
              column: 1,
              keyPath: '(syntax)',
              expected: 'a JSON object',
              found: 'nothing',
              message: 'empty file',
            },
          ],
    );
  }
  const data: unknown = JSON.parse(text);
  const result = DevkitConfigSchema.safeParse(data, { reportInput: true });
  const issues: ConfigIssue[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) issues.push(...toConfigIssues(issue, text, tree, file));
  } else {
    for (const finding of checkConfigRules(result.data)) {
      const { line, column } = positionAt(text, offsetOf(tree, finding.path));
      issues.push({
        file,
        line,
        column,
        keyPath: formatKeyPath(finding.path),
        expected: finding.expected,
        found: finding.found,
        message: finding.message,
      });
    }
  }
  if (issues.length > 0) throw configError(file, shownFrom, issues);
  return result.data as DevkitConfig;
}

function toConfigIssues(
  issue: z.core.$ZodIssue,
  text: string,
  tree: NonNullable<ReturnType<typeof parseTree>>,
  file: string,
): ConfigIssue[] {
  const path = issue.path as (string | number)[];
  const located = (offset: number) => positionAt(text, offset);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, known);
      const { line, column } = located(offsetOf(tree, path, key));
      return {
        file,
        line,
        column,
        keyPath: formatKeyPath([...path, key]),
        expected: known.length ? `one of ${known.join(', ')}` : 'no such key',
        found: `unknown key ${JSON.stringify(key)}`,
        message: `unknown key ${JSON.stringify(key)}${suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ''}`,
      };
    });
  }
  const { line, column } = located(offsetOf(tree, path));
  const input = (issue as { input?: unknown }).input;
  let expected: string;
  switch (issue.code) {
    case 'invalid_type':
      expected = issue.expected;
      break;
    case 'invalid_value':
      expected = `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    default:
      expected = issue.message.replace(/^Invalid input: /, '');
  }
  let message =
    issue.code === 'invalid_type' ? `expected ${issue.expected}, found ${describeValue(input)}` : issue.message;
  if (issue.code === 'invalid_value' && typeof input === 'string') {
    const suggestion = closest(input, issue.values.map(String));
    if (suggestion) message += ` (did you mean ${JSON.stringify(suggestion)}?)`;
  }
  return [{ file, line, column, keyPath: formatKeyPath(path), expected, found: describeValue(input), message }];
}

/** The keys the schema allows in the object at `path`, for did-you-mean suggestions. */
function knownKeysAt(path: ReadonlyArray<string | number>): string[] {
  let schema: z.core.$ZodType | undefined = DevkitConfigSchema;
  for (const part of path) {
    schema = schema && childSchema(unwrap(schema), part);
  }
  const object = schema && unwrap(schema);
  return object instanceof z.ZodObject ? Object.keys(object.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.core.$ZodType;
  }
  return current;
}

function childSchema(schema: z.core.$ZodType, part: string | number): z.core.$ZodType | undefined {
  if (schema instanceof z.ZodObject) return (schema.shape as Record<string, z.core.$ZodType>)[String(part)];
  if (schema instanceof z.ZodRecord) return schema.valueType as z.core.$ZodType;
  if (schema instanceof z.ZodArray) return schema.element as z.core.$ZodType;
  return undefined;
}

function configError(file: string, shownFrom: string | undefined, issues: ConfigIssue[]) {
  const shown = (shownFrom !== undefined && relative(shownFrom, file)) || file;
  const lines = issues.map((i) => `  ${shown}:${i.line}:${i.column} ${i.keyPath}: ${i.message}`);
  return usageError(
    'E_CONFIG_INVALID',
    `${shown} is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    {
      hint: `fix the key${issues.length === 1 ? '' : 's'} above in ${shown}; the schema is in node_modules/@devkit/config/schema.json`,
      details: { file, issues },
    },
  );
}
