import { isAbsolute, resolve } from 'node:path';
import { findRoot } from '@devkit/config';
import { GLOBAL_FLAGS, type completeSpec } from '../commands.js';
import { completeWords, formatCompletion, type Completion } from '../completion/complete.js';
import { needsConfig, readConfigQuietly, sourceValues } from '../completion/values.js';
import type { CommandInput, CommandResult, CommandSpec, CompletionSource, HandlerModule } from '../spec.js';

/** The folder the command line being completed acts on: its `--cwd`, else devkit's own. */
function cwdOf(words: readonly string[], cwd: string): string {
  let given: string | undefined;
  words.slice(0, -1).forEach((word, i) => {
    if (word === '--') return;
    if (word === '--cwd') given = words[i + 1];
    else if (word.startsWith('--cwd=')) given = word.slice('--cwd='.length);
  });
  if (given === undefined || given === '') return cwd;
  return isAbsolute(given) ? given : resolve(cwd, given);
}

/**
 * `devkit __complete -- <words…>` (hidden): what the completion scripts run on TAB. Prints the
 * completion of the last word; never fails, since a shell has nowhere to show an error.
 * devkit.json is read only when the word to complete is one of its names.
 */
async function complete(input: CommandInput<typeof completeSpec>, tree: CommandSpec): Promise<CommandResult> {
  const words = input.args.words.length > 0 ? input.args.words : [''];
  const cwd = cwdOf(words, input.cwd);
  let completion: Completion;
  try {
    const wanted = new Set<CompletionSource>();
    const root = findRoot(cwd);
    completion = completeWords(tree, GLOBAL_FLAGS, words, (source) => {
      if (!needsConfig(source)) return sourceValues(source, root, {});
      wanted.add(source);
      return [];
    });
    if (wanted.size > 0) {
      const { root: configRoot, config } = await readConfigQuietly(cwd);
      completion = completeWords(tree, GLOBAL_FLAGS, words, (source) => sourceValues(source, configRoot, config));
    }
  } catch {
    completion = { kind: 'words', candidates: [] };
  }
  const lines = formatCompletion(completion);
  return { exitCode: 0, data: { completion }, human: () => lines };
}

/** The handler, given the command tree it completes (command-tree.ts passes itself in). */
export function withTree(tree: CommandSpec): HandlerModule {
  return { run: (input: CommandInput<typeof completeSpec>) => complete(input, tree) };
}
