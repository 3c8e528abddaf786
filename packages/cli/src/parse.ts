import { closest, usageError } from '@devkit/core';
import { GLOBAL_FLAGS } from './commands.js';
import type { CommandSpec, FlagSpec } from './spec.js';

export type ParsedArgv =
  | { kind: 'help'; command: CommandSpec; path: string[] }
  | { kind: 'version'; json: boolean }
  | {
      kind: 'run';
      command: CommandSpec;
      path: string[];
      args: Record<string, string | string[] | undefined>;
      flags: Record<string, string | boolean | undefined>;
      json: boolean;
      cwd: string | undefined;
    };

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

/**
 * Parses argv against the command tree. Pure: returns what to do, or throws a usage error
 * (exit 2) naming the nearest valid command or flag.
 */
export function parseArgv(argv: readonly string[], root: CommandSpec): ParsedArgv {
  let command = root;
  const path: string[] = [];
  const positionals: string[] = [];
  const flags: Record<string, string | boolean | undefined> = {};
  let flagsEnded = false;

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!flagsEnded && token === '--') {
      flagsEnded = true;
      continue;
    }
    if (!flagsEnded && token.startsWith('-') && token !== '-') {
      const [rawName, inlineValue] = token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
      const known = { ...GLOBAL_FLAGS, ...(command.flags ?? {}) };
      const found = lookupFlag(rawName, known);
      if (!found) {
        const names = Object.keys(known).map((n) => `--${n}`);
        const suggestion = closest(rawName.startsWith('--') ? rawName : `--${rawName.slice(1)}`, names);
        throw usageError('E_UNKNOWN_FLAG', `unknown flag ${rawName} for \`${commandName(path)}\`${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, {
          hint: `${commandName(path)} --help`,
        });
      }
      const [name, spec] = found;
      if (spec.type === 'boolean') {
        if (inlineValue !== undefined) {
          throw usageError('E_FLAG_VALUE', `--${name} takes no value (found ${JSON.stringify(inlineValue)})`, { hint: `${commandName(path)} --help` });
        }
        flags[name] = true;
      } else {
        const value = inlineValue ?? argv[++i];
        if (value === undefined || (inlineValue === undefined && value.startsWith('-') && value !== '-')) {
          throw usageError('E_FLAG_VALUE', `--${name} needs a value${spec.placeholder ? ` ${spec.placeholder}` : ''}`, { hint: `${commandName(path)} --help` });
        }
        if (spec.values && !spec.values.includes(value)) {
          const suggestion = closest(value, spec.values);
          throw usageError('E_FLAG_VALUE', `--${name} must be one of ${spec.values.join(', ')} (found ${JSON.stringify(value)})${suggestion ? `; did you mean ${suggestion}?` : ''}`, {
            hint: `${commandName(path)} --help`,
          });
        }
        flags[name] = value;
      }
      continue;
    }
    if (command.subcommands && positionals.length === 0) {
      const next = command.subcommands.find((c) => c.name === token);
      if (!next) {
        const suggestion = closest(token, command.subcommands.map((c) => c.name));
        throw usageError('E_UNKNOWN_COMMAND', `unknown command \`${commandName([...path, token])}\`${suggestion ? ` (did you mean \`${commandName([...path, suggestion])}\`?)` : ''}`, {
          hint: `${commandName(path)} --help`,
        });
      }
      command = next;
      path.push(token);
      continue;
    }
    positionals.push(token);
  }

  const json = flags.json === true;
  if (flags.version === true && path.length === 0) return { kind: 'version', json };
  if (flags.help === true || (path.length === 0 && positionals.length === 0)) return { kind: 'help', command, path };
  if (!command.load) {
    const names = (command.subcommands ?? []).map((c) => c.name).join(', ');
    throw usageError('E_MISSING_COMMAND', `\`${commandName(path)}\` needs a subcommand: ${names}`, { hint: `${commandName(path)} --help` });
  }

  const args: Record<string, string | string[] | undefined> = {};
  const specs = command.args ?? [];
  let index = 0;
  for (const spec of specs) {
    if (spec.variadic) {
      args[spec.name] = positionals.slice(index);
      index = positionals.length;
    } else {
      args[spec.name] = positionals[index++];
    }
    if (spec.required && (args[spec.name] === undefined || (Array.isArray(args[spec.name]) && args[spec.name]!.length === 0))) {
      throw usageError('E_MISSING_ARGUMENT', `\`${commandName(path)}\` needs <${spec.name}>`, { hint: `${commandName(path)} --help` });
    }
  }
  if (index < positionals.length) {
    throw usageError('E_EXTRA_ARGUMENT', `unexpected argument ${JSON.stringify(positionals[index])} for \`${commandName(path)}\``, { hint: `${commandName(path)} --help` });
  }
  const cwd = typeof flags.cwd === 'string' ? flags.cwd : undefined;
  return { kind: 'run', command, path, args, flags, json, cwd };
}

/** `--help` text for a command, generated from the tree. */
export function formatHelp(command: CommandSpec, path: readonly string[]): string {
  const lines: string[] = [];
  const name = commandName(path);
  const argText = (command.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[${a.name}${a.variadic ? '…' : ''}]`)).join(' ');
  lines.push(`${name}${command.subcommands ? ' <command>' : ''}${argText ? ` ${argText}` : ''} — ${command.summary}`);
  if (command.description) lines.push('', command.description);
  if (command.subcommands) {
    lines.push('', 'Commands:');
    const width = Math.max(...command.subcommands.map((c) => c.name.length));
    for (const sub of command.subcommands) lines.push(`  ${sub.name.padEnd(width)}  ${sub.summary}`);
  }
  const flagLines = (flags: Readonly<Record<string, FlagSpec>>) =>
    Object.entries(flags).map(([n, f]) => {
      const left = `${f.short ? `-${f.short}, ` : '    '}--${n}${f.placeholder ? ` ${f.placeholder}` : f.values ? ` <${f.values.join('|')}>` : ''}`;
      return `  ${left.padEnd(28)} ${f.description}`;
    });
  if (command.flags && Object.keys(command.flags).length > 0) lines.push('', 'Options:', ...flagLines(command.flags));
  lines.push('', 'Global options:', ...flagLines(GLOBAL_FLAGS));
  lines.push('', 'Exit codes: 0 ok · 1 a check found a problem · 2 usage or config error · 3 the machine lacks something');
  return lines.join('\n');
}
