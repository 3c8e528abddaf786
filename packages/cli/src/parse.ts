import { closest, usageError } from '@devkit/core';
import { GLOBAL_FLAGS } from './commands.js';
import type { ArgSpec, CommandSpec, FlagSpec, NumberFlagSpec, ParsedValue } from './spec.js';

export type ParsedArgv =
  | { kind: 'help'; command: CommandSpec; path: string[] }
  | { kind: 'version'; json: boolean }
  | {
      kind: 'run';
      command: CommandSpec;
      path: string[];
      /** Checked against the command's ArgSpecs: required ones are there, variadic ones are arrays. */
      args: Record<string, string | string[] | undefined>;
      /** The command's own flags, checked and typed by their FlagSpecs, defaults filled in. */
      flags: Record<string, ParsedValue | undefined>;
      json: boolean;
      cwd: string | undefined;
      /** `--verbose`: show the commands devkit runs. */
      verbose: boolean;
    };

/** The word that asks for help on a command: `devkit help artifact push`. */
const HELP_COMMAND = 'help';

function commandName(path: readonly string[]): string {
  return ['devkit', ...path].join(' ');
}

function lookupFlag(token: string, flags: Readonly<Record<string, FlagSpec>>): [string, FlagSpec] | undefined {
  if (token.startsWith('--')) {
    const name = token.slice(2);
    const spec = flags[name];
    return spec ? [name, spec] : undefined;
  }
  const short = token.slice(1);
  return Object.entries(flags).find(([, spec]) => spec.short === short);
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** "a whole number ≥ 1", "a number > 0": what a number flag accepts, for its error message. */
function describeNumber(spec: NumberFlagSpec): string {
  const bounds = [
    spec.min !== undefined ? `≥ ${spec.min}` : undefined,
    spec.above !== undefined ? `> ${spec.above}` : undefined,
    spec.max !== undefined ? `≤ ${spec.max}` : undefined,
  ].filter(Boolean);
  return `${spec.integer ? 'a whole number' : 'a number'}${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}`;
}

function parseNumber(text: string, spec: NumberFlagSpec): number | undefined {
  if (!(spec.integer ? INTEGER : DECIMAL).test(text)) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  if (spec.min !== undefined && value < spec.min) return undefined;
  if (spec.max !== undefined && value > spec.max) return undefined;
  if (spec.above !== undefined && value <= spec.above) return undefined;
  return value;
}

/** A value that shows how a flag is used, for the fixes errors suggest. */
function flagExample(spec: FlagSpec): string {
  if (spec.type === 'boolean') return '';
  if (spec.example !== undefined) return spec.example;
  if (spec.type === 'string' && spec.values?.[0] !== undefined) return spec.values[0];
  if (spec.type === 'number')
    return String(spec.default ?? spec.min ?? (spec.above !== undefined ? spec.above + 1 : 1));
  return spec.placeholder ?? '<value>';
}

/** `devkit logs redis`: the command with the arguments given so far, or their placeholders. */
function commandLine(path: readonly string[], command: CommandSpec, positionals: readonly string[]): string {
  const args = (command.args ?? []).filter((a) => a.required).map((a, i) => positionals[i] ?? `<${a.name}>`);
  return [commandName(path), ...args].join(' ');
}

/** One flag as the scan found it: its spec, and the raw texts given (a list flag may repeat). */
interface GivenFlag {
  spec: FlagSpec;
  texts: string[];
}

/**
 * Parses argv against the command tree. Pure: returns what to do, or throws a usage error
 * (exit 2), one code per kind of mistake, whose hint is the corrected command:
 * E_UNKNOWN_COMMAND, E_MISSING_COMMAND, E_UNKNOWN_FLAG, E_FLAG_VALUE (missing, not a choice,
 * not a number in bounds, an empty list, a value for a switch), E_MISSING_FLAG, E_FLAG_CONFLICT,
 * E_MISSING_ARGUMENT, E_EXTRA_ARGUMENT. `--help`, `-h`, `--version` and `devkit help <command…>`
 * win over every other check, on every command.
 */
export function parseArgv(argv: readonly string[], root: CommandSpec): ParsedArgv {
  let command = root;
  const path: string[] = [];
  const positionals: string[] = [];
  const given = new Map<string, GivenFlag>();
  let flagsEnded = false;
  let helpTopic = false;

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!flagsEnded && token === '--') {
      flagsEnded = true;
      continue;
    }
    if (!flagsEnded && token.startsWith('-') && token !== '-') {
      const eq = token.indexOf('=');
      const [rawName, inlineValue] = eq >= 0 ? [token.slice(0, eq), token.slice(eq + 1)] : [token, undefined];
      const known = { ...GLOBAL_FLAGS, ...(command.flags ?? {}) };
      const found = lookupFlag(rawName, known);
      if (!found) {
        const names = Object.keys(known).map((n) => `--${n}`);
        const suggestion = closest(rawName.startsWith('--') ? rawName : `--${rawName.slice(1)}`, names);
        throw usageError(
          'E_UNKNOWN_FLAG',
          `unknown flag ${rawName} for \`${commandName(path)}\`${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
          {
            hint: suggestion
              ? `${commandLine(path, command, positionals)} ${suggestion}`
              : `${commandName(path)} --help`,
          },
        );
      }
      const [name, spec] = found;
      const entry = given.get(name) ?? { spec, texts: [] };
      given.set(name, entry);
      if (spec.type === 'boolean') {
        if (inlineValue !== undefined) {
          throw usageError('E_FLAG_VALUE', `--${name} takes no value (found ${JSON.stringify(inlineValue)})`, {
            hint: `${commandLine(path, command, positionals)} --${name}`,
          });
        }
        continue;
      }
      let value = inlineValue;
      if (value === undefined) {
        const next = argv[i + 1];
        // A token that looks like a flag is the next flag, not this one's value — unless this
        // flag takes a number and the token is one (`--lines -1` is then refused for its bound).
        const isValue =
          next !== undefined &&
          (!next.startsWith('-') || next === '-' || (spec.type === 'number' && DECIMAL.test(next)));
        if (isValue) {
          value = next;
          i++;
        }
      }
      if (value === undefined) {
        throw usageError('E_FLAG_VALUE', `--${name} needs a value${spec.placeholder ? ` ${spec.placeholder}` : ''}`, {
          hint: `${commandLine(path, command, positionals)} --${name} ${flagExample(spec)}`,
        });
      }
      entry.texts.push(value);
      continue;
    }
    if (command.subcommands && positionals.length === 0) {
      if (path.length === 0 && token === HELP_COMMAND && !helpTopic) {
        helpTopic = true;
        continue;
      }
      const next = command.subcommands.find((c) => c.name === token);
      if (!next) {
        const suggestion = closest(
          token,
          command.subcommands.map((c) => c.name),
        );
        throw usageError(
          'E_UNKNOWN_COMMAND',
          `unknown command \`${commandName([...path, token])}\`${suggestion ? ` (did you mean \`${commandName([...path, suggestion])}\`?)` : ''}`,
          {
            hint: `${commandName(helpTopic ? [HELP_COMMAND, ...path] : path)} ${suggestion ?? '--help'}`,
          },
        );
      }
      command = next;
      path.push(token);
      continue;
    }
    positionals.push(token);
  }

  const json = given.has('json');
  if (given.has('version')) return { kind: 'version', json };
  if (helpTopic) {
    if (positionals.length > 0) {
      throw usageError(
        'E_EXTRA_ARGUMENT',
        `\`${commandName(path)}\` has no subcommand ${JSON.stringify(positionals[0])}`,
        { hint: `devkit ${HELP_COMMAND} ${path.join(' ')}`.trimEnd() },
      );
    }
    return { kind: 'help', command, path };
  }
  if (given.has('help') || (path.length === 0 && positionals.length === 0)) return { kind: 'help', command, path };
  if (!command.load) {
    const names = (command.subcommands ?? []).map((c) => c.name);
    throw usageError('E_MISSING_COMMAND', `\`${commandName(path)}\` needs a subcommand: ${names.join(', ')}`, {
      hint: `${commandName(path)} --help`,
    });
  }

  const args = parseArgs(command, path, positionals);
  const flags: Record<string, ParsedValue | undefined> = {};
  for (const [name, spec] of Object.entries(command.flags ?? {})) {
    const entry = given.get(name);
    flags[name] = entry
      ? flagValue(name, entry, command, path, positionals)
      : absentValue(name, spec, command, path, positionals);
  }
  checkConflicts(command, path, given);
  const cwd = given.get('cwd')?.texts.at(-1);
  return { kind: 'run', command, path, args, flags, json, cwd, verbose: given.has('verbose') };
}

function parseArgs(
  command: CommandSpec,
  path: readonly string[],
  positionals: readonly string[],
): Record<string, string | string[] | undefined> {
  const args: Record<string, string | string[] | undefined> = {};
  const specs: readonly ArgSpec[] = command.args ?? [];
  let index = 0;
  for (const spec of specs) {
    const value = spec.variadic ? positionals.slice(index) : positionals[index];
    index = spec.variadic ? positionals.length : index + 1;
    if (spec.required && (value === undefined || value.length === 0)) {
      throw usageError('E_MISSING_ARGUMENT', `\`${commandName(path)}\` needs <${spec.name}>`, {
        hint: commandLine(path, command, positionals),
      });
    }
    args[spec.name] = value;
  }
  if (index < positionals.length) {
    const usage = [
      commandName(path),
      ...specs.map((a) => (a.required ? `<${a.name}>` : `[${a.name}${a.variadic ? '…' : ''}]`)),
    ].join(' ');
    throw usageError(
      'E_EXTRA_ARGUMENT',
      `unexpected argument ${JSON.stringify(positionals[index])} for \`${commandName(path)}\` (it takes: ${usage})`,
      {
        hint: specs.length > 0 ? commandLine(path, command, positionals) : commandName(path),
      },
    );
  }
  return args;
}

/** The value of a flag that was given, checked against its spec. */
function flagValue(
  name: string,
  entry: GivenFlag,
  command: CommandSpec,
  path: readonly string[],
  positionals: readonly string[],
): ParsedValue {
  const { spec, texts } = entry;
  const fix = (value: string) => `${commandLine(path, command, positionals)} --${name} ${value}`;
  switch (spec.type) {
    case 'boolean':
      return true;
    case 'list': {
      const items = texts
        .flatMap((t) => t.split(','))
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length === 0)
        throw usageError('E_FLAG_VALUE', `--${name} needs one name or more, separated by commas`, {
          hint: fix(flagExample(spec)),
        });
      return items;
    }
    case 'number': {
      // The last one given wins, as for any flag given twice.
      const text = texts.at(-1)!;
      const value = parseNumber(text, spec);
      if (value === undefined)
        throw usageError('E_FLAG_VALUE', `--${name} must be ${describeNumber(spec)} (found ${JSON.stringify(text)})`, {
          hint: fix(flagExample(spec)),
        });
      return value;
    }
    case 'string': {
      const text = texts.at(-1)!;
      if (spec.values && !spec.values.includes(text)) {
        const suggestion = closest(text, spec.values);
        throw usageError(
          'E_FLAG_VALUE',
          `--${name} must be one of ${spec.values.join(', ')} (found ${JSON.stringify(text)})${suggestion ? `; did you mean ${suggestion}?` : ''}`,
          {
            hint: fix(suggestion ?? flagExample(spec)),
          },
        );
      }
      if (spec.required && text.trim() === '')
        throw usageError('E_FLAG_VALUE', `--${name} needs a value${spec.placeholder ? ` ${spec.placeholder}` : ''}`, {
          hint: fix(flagExample(spec)),
        });
      return text;
    }
  }
}

/** The value of a flag that was not given: false for a switch, its default, or exit 2 when it is required. */
function absentValue(
  name: string,
  spec: FlagSpec,
  command: CommandSpec,
  path: readonly string[],
  positionals: readonly string[],
): ParsedValue | undefined {
  if (spec.type === 'boolean') return false;
  if (spec.required) {
    throw usageError(
      'E_MISSING_FLAG',
      `\`${commandName(path)}\` needs --${name}${spec.placeholder ? ` ${spec.placeholder}` : ''}${spec.description ? ` (${spec.description})` : ''}`,
      {
        hint: `${commandLine(path, command, positionals)} --${name} ${flagExample(spec)}`,
      },
    );
  }
  return spec.type === 'list' ? undefined : spec.default;
}

function checkConflicts(command: CommandSpec, path: readonly string[], given: ReadonlyMap<string, GivenFlag>): void {
  for (const [name, spec] of Object.entries(command.flags ?? {})) {
    if (!given.has(name)) continue;
    const other = spec.conflicts?.find((c) => given.has(c));
    if (other !== undefined) {
      throw usageError('E_FLAG_CONFLICT', `--${name} and --${other} cannot be used together`, {
        hint: [name, other]
          .map(
            (n) =>
              `${commandName(path)} --${n}${command.flags?.[n]?.type === 'boolean' ? '' : ` ${flagExample(command.flags![n]!)}`}`,
          )
          .join(', or '),
      });
    }
  }
}

/** `--help` text for a command, generated from the tree. */
export function formatHelp(command: CommandSpec, path: readonly string[]): string {
  const lines: string[] = [];
  const name = commandName(path);
  const argText = (command.args ?? [])
    .map((a) => (a.required ? `<${a.name}>` : `[${a.name}${a.variadic ? '…' : ''}]`))
    .join(' ');
  lines.push(`${name}${command.subcommands ? ' <command>' : ''}${argText ? ` ${argText}` : ''} — ${command.summary}`);
  if (command.description) lines.push('', command.description);
  if (command.subcommands) {
    const shown = command.subcommands.filter((c) => !c.hidden);
    lines.push('', 'Commands:');
    const width = Math.max(...shown.map((c) => c.name.length));
    for (const sub of shown) lines.push(`  ${sub.name.padEnd(width)}  ${sub.summary}`);
  }
  const flagLines = (flags: Readonly<Record<string, FlagSpec>>) =>
    Object.entries(flags).map(([n, f]) => {
      const value = f.placeholder
        ? ` ${f.placeholder}`
        : f.type === 'string' && f.values
          ? ` <${f.values.join('|')}>`
          : '';
      const left = `${f.short ? `-${f.short}, ` : '    '}--${n}${value}`;
      return `  ${left.padEnd(28)} ${f.description}${f.type !== 'boolean' && f.required ? ' (required)' : ''}`;
    });
  if (command.flags && Object.keys(command.flags).length > 0) lines.push('', 'Options:', ...flagLines(command.flags));
  lines.push('', 'Global options:', ...flagLines(GLOBAL_FLAGS));
  lines.push(
    '',
    'Exit codes: 0 ok · 1 a check found a problem · 2 usage or config error · 3 the machine lacks something',
  );
  return lines.join('\n');
}
