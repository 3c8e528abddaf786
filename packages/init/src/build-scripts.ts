/**
 * devkit's own dependencies with install scripts it does not need: ssh2 and its optional
 * cpu-features (native speed-ups of the Docker client's SSH transport) and protobufjs (a
 * postinstall of the Docker client's gRPC). devkit works without any of them running.
 */
export const DEVKIT_BUILD_DEPENDENCIES = ['cpu-features', 'protobufjs', 'ssh2'] as const;

/**
 * The value pnpm 11 writes into pnpm-workspace.yaml's `allowBuilds` for a dependency whose
 * install script it ignored; until it is replaced by true or false every `pnpm install` fails
 * with ERR_PNPM_IGNORED_BUILDS, `pnpm install --frozen-lockfile` in CI too.
 */
const UNDECIDED = 'set this to true or false';

export interface AllowBuildsPlan {
  /** pnpm-workspace.yaml with devkit's undecided dependencies set to false (the text itself when none were). */
  text: string;
  /** The dependencies set to false, in file order. */
  decided: string[];
}

/**
 * Answers pnpm's question for devkit's own dependencies in pnpm-workspace.yaml: each line of
 * `allowBuilds` pnpm left undecided for one of them becomes `false`. Only those lines change (by
 * line, so the file's comments and layout stay); a choice already made, true or false, is kept,
 * and other packages' questions are the repo's to answer.
 */
export function planAllowBuilds(current: string): AllowBuildsPlan {
  const decided: string[] = [];
  const names = DEVKIT_BUILD_DEPENDENCIES.join('|');
  const line = new RegExp(`^(\\s+)(['"]?)(${names})\\2(\\s*):\\s*(['"]?)${UNDECIDED}\\5\\s*$`);
  const eol = current.includes('\r\n') ? '\r\n' : '\n';
  const lines = current.split(/\r?\n/).map((text) => {
    const match = line.exec(text);
    if (!match) return text;
    decided.push(match[3]!);
    return `${match[1]}${match[2]}${match[3]}${match[2]}: false`;
  });
  return { text: decided.length ? lines.join(eol) : current, decided };
}
