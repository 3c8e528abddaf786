import { relative } from 'node:path';
import { getNodeValue, parseTree, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { usageError } from '@devkit/core';
import { DevkitConfigSchema, type DevkitConfig } from './schema.js';
import { checkConfigRules } from './rules.js';
import { SCHEMA_PATH } from './names.js';
import { closest, describeValue } from './describe.js';
import { offsetOf } from './locate.js';
import { formatKeyPath, positionAt } from './keypath.js';
import { describeSyntaxError } from './syntax.js';

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
  // JSONC, as editors treat a .json config: comments and trailing commas are fine.
  const syntaxErrors: ParseError[] = [];
  const tree = parseTree(text, syntaxErrors, { allowTrailingComma: true, disallowComments: false });
  const first = syntaxErrors[0];
  if (first) throw syntaxError(text, file, shownFrom, first, syntaxErrors.length - 1);
  if (!tree) {
    throw configError(file, shownFrom, [
      {
        file,
        line: 1,
        column: 1,
        keyPath: '(syntax)',
        expected: 'a JSON object',
        found: 'nothing',
        message: 'empty file',
      },
    ]);
  }
  const data: unknown = getNodeValue(tree);
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
  if (issue.code === 'invalid_union') {
    // A union of differently typed forms (a hook entry: a check's name or a command object):
    // report the problems of the form whose type the value has, not a bare "Invalid input".
    const fitting = issue.errors.filter(
      (branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
    );
    if (fitting.length === 1)
      return fitting[0]!.flatMap((inner) =>
        toConfigIssues({ ...inner, path: [...path, ...inner.path] } as z.core.$ZodIssue, text, tree, file),
      );
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
  // A union with one object form (a hook entry): its keys are the ones to suggest.
  if (current instanceof z.ZodUnion) {
    const objects = (current.options as z.core.$ZodType[]).filter((option) => option instanceof z.ZodObject);
    if (objects.length === 1) return objects[0]!;
  }
  return current;
}

function childSchema(schema: z.core.$ZodType, part: string | number): z.core.$ZodType | undefined {
  if (schema instanceof z.ZodObject) return (schema.shape as Record<string, z.core.$ZodType>)[String(part)];
  if (schema instanceof z.ZodRecord) return schema.valueType as z.core.$ZodType;
  if (schema instanceof z.ZodArray) return schema.element as z.core.$ZodType;
  return undefined;
}

/**
 * The first syntax error only, at the character at fault with its line and a caret: the ones
 * after it are most often its echoes (a missing quote throws off everything that follows).
 */
function syntaxError(text: string, file: string, shownFrom: string | undefined, error: ParseError, more: number) {
  const shown = (shownFrom !== undefined && relative(shownFrom, file)) || file;
  const problem = describeSyntaxError(text, error);
  const issue: ConfigIssue = {
    file,
    line: problem.line,
    column: problem.column,
    keyPath: '(syntax)',
    expected: 'JSON (comments and trailing commas allowed)',
    found: JSON.stringify(text.slice(error.offset, error.offset + Math.max(1, error.length))),
    message: problem.message,
  };
  return usageError(
    'E_CONFIG_INVALID',
    `${shown}:${problem.line}:${problem.column}: ${problem.message}\n${problem.excerpt}${more > 0 ? `\n  (${more} more syntax error${more === 1 ? '' : 's'} after it, often caused by this one)` : ''}`,
    {
      hint: `fix line ${problem.line} of ${shown}, then \`devkit config check\``,
      details: { file, issues: [issue] },
    },
  );
}

function configError(file: string, shownFrom: string | undefined, issues: ConfigIssue[]) {
  const shown = (shownFrom !== undefined && relative(shownFrom, file)) || file;
  const lines = issues.map((i) => `  ${shown}:${i.line}:${i.column} ${i.keyPath}: ${i.message}`);
  return usageError(
    'E_CONFIG_INVALID',
    `${shown} is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    {
      hint: `fix the key${issues.length === 1 ? '' : 's'} above in ${shown}; the schema is ${SCHEMA_PATH} (\`devkit config schema\` prints it)`,
      details: { file, issues },
    },
  );
}
