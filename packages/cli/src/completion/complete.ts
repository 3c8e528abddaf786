import type { CommandSpec, CompletionSource, FlagSpec } from '../spec.js';

/** One completion: the word, and what it is (zsh and fish show it beside the word). */
export interface Candidate {
  value: string;
  description?: string | undefined;
}

/**
 * What the shell should offer: these words, or its own file or folder completion (which knows
 * quoting, `~` and the file system better than devkit).
 */
export type Completion = { kind: 'words'; candidates: Candidate[] } | { kind: 'files' | 'dirs' };

/** Values a source names in this repo (devkit.json keys, snapshots): read only when asked. */
export type SourceValues = (source: CompletionSource) => readonly string[];

const NOTHING: Completion = { kind: 'words', candidates: [] };

function lookupFlag(word: string, flags: Readonly<Record<string, FlagSpec>>): FlagSpec | undefined {
  if (word.startsWith('--')) return flags[word.slice(2)];
  const short = word.slice(1);
  return Object.values(flags).find((spec) => spec.short === short);
}

function flagCandidates(flags: Readonly<Record<string, FlagSpec>>, prefix: string): Candidate[] {
  return Object.entries(flags)
    .map(([name, spec]) => ({ value: `--${name}`, description: spec.description }))
    .filter((c) => c.value.startsWith(prefix));
}

function valueCandidates(
  source: CompletionSource | undefined,
  fixed: readonly string[] | undefined,
  prefix: string,
  values: SourceValues,
): Completion {
  if (source === 'files' || source === 'dirs') return { kind: source };
  const words = fixed ?? (source ? values(source) : []);
  return { kind: 'words', candidates: words.filter((w) => w.startsWith(prefix)).map((value) => ({ value })) };
}

/** A list flag's value (`--target linux-x64-gnu,dar`): completes the item after the last comma. */
function listCandidates(source: CompletionSource | undefined, current: string, values: SourceValues): Completion {
  const comma = current.lastIndexOf(',');
  const head = current.slice(0, comma + 1);
  const taken = new Set(head.split(',').filter(Boolean));
  const items = valueCandidates(source, undefined, current.slice(comma + 1), values);
  if (items.kind !== 'words') return items;
  return {
    kind: 'words',
    candidates: items.candidates.filter((c) => !taken.has(c.value)).map((c) => ({ value: `${head}${c.value}` })),
  };
}

function valueOf(spec: FlagSpec, current: string, values: SourceValues): Completion {
  if (spec.type === 'list') return listCandidates(spec.complete, current, values);
  return valueCandidates(spec.complete, spec.type === 'string' ? spec.values : undefined, current, values);
}

/**
 * Completes the word under the cursor. `words` are the words after `devkit`, the last being the
 * one being completed ('' right after a space). Reads the command line as the parser does
 * (parse.ts): subcommands first, `--` ends flags, a flag that takes a value takes the next word;
 * then offers what may come next — subcommands, flags, a flag's values, or an argument's values.
 * Pure: devkit.json's names come through `values`, and only when a source asks for them.
 */
export function completeWords(
  root: CommandSpec,
  globalFlags: Readonly<Record<string, FlagSpec>>,
  words: readonly string[],
  values: SourceValues,
): Completion {
  const current = words.at(-1) ?? '';
  let command = root;
  let positionals = 0;
  let flagsEnded = false;
  let helpTopic = false;
  let pending: FlagSpec | undefined;
  const flagsOf = (c: CommandSpec) => ({ ...globalFlags, ...(c.flags ?? {}) });

  for (const word of words.slice(0, -1)) {
    if (pending) {
      // bash splits `--format=json` into `--format`, `=`, `json`: the `=` joins, the value follows.
      if (word !== '=') pending = undefined;
      continue;
    }
    if (!flagsEnded && word === '--') {
      flagsEnded = true;
      continue;
    }
    if (!flagsEnded && word.startsWith('-') && word !== '-') {
      const spec = word.includes('=') ? undefined : lookupFlag(word, flagsOf(command));
      if (spec && spec.type !== 'boolean') pending = spec;
      continue;
    }
    if (command.subcommands && positionals === 0) {
      if (command === root && word === 'help' && !helpTopic) {
        helpTopic = true;
        continue;
      }
      const next = command.subcommands.find((c) => c.name === word);
      // An unknown command: nothing sensible to offer after it.
      if (!next) return NOTHING;
      command = next;
      continue;
    }
    positionals++;
  }

  if (pending) return valueOf(pending, current === '=' ? '' : current, values);
  if (!flagsEnded && current.startsWith('-')) {
    // `--format=js`: the value after `=`, given back whole so the shell can replace the word.
    const eq = current.indexOf('=');
    if (current.startsWith('--') && eq > 0) {
      const spec = lookupFlag(current.slice(0, eq), flagsOf(command));
      if (!spec || spec.type === 'boolean') return NOTHING;
      const inner = valueOf(spec, current.slice(eq + 1), values);
      if (inner.kind !== 'words') return inner;
      const name = current.slice(0, eq + 1);
      return { kind: 'words', candidates: inner.candidates.map((c) => ({ value: `${name}${c.value}` })) };
    }
    return { kind: 'words', candidates: flagCandidates(helpTopic ? {} : flagsOf(command), current) };
  }
  if (command.subcommands && positionals === 0) {
    return {
      kind: 'words',
      candidates: command.subcommands
        .filter((c) => !c.hidden && c.name.startsWith(current))
        .map((c) => ({ value: c.name, description: c.summary })),
    };
  }
  if (helpTopic) return NOTHING;
  const args = command.args ?? [];
  const last = args.at(-1);
  const arg = args[positionals] ?? (last?.variadic ? last : undefined);
  if (arg) {
    if (!arg.complete) return NOTHING;
    return valueCandidates(arg.complete, undefined, current, values);
  }
  // Nothing more to give but flags: offer them, as if `-` had been typed.
  return { kind: 'words', candidates: current === '' ? flagCandidates(flagsOf(command), '') : [] };
}

/**
 * The lines `devkit __complete` prints: the kind first (`words`, `files`, `dirs`), then one
 * candidate per line, a tab before its description. What every shell script reads.
 */
export function formatCompletion(completion: Completion): string[] {
  if (completion.kind !== 'words') return [completion.kind];
  const seen = new Set<string>();
  const lines = ['words'];
  for (const c of completion.candidates) {
    if (seen.has(c.value)) continue;
    seen.add(c.value);
    // One line per candidate: a description is cut at its first line, tabs become spaces.
    const description = c.description?.split('\n')[0]?.replace(/\t/g, ' ');
    lines.push(description ? `${c.value}\t${description}` : c.value);
  }
  return lines;
}
