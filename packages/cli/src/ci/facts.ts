/**
 * What a command tells CI, as data: findings with a place in a file (annotations) and facts for
 * the run's summary. Handlers give them through `io.ci` as they become known, so a command that
 * fails half-way still reports what it got to; main.ts renders them (ci/github.ts) only when
 * devkit runs in a CI that shows them.
 */

/** Whether devkit runs in a GitHub Actions job (the runner sets GITHUB_ACTIONS=true). */
export function inGithubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** A finding with a place: GitHub shows it on the file's line in the pull request. */
export interface CiAnnotation {
  level: 'error' | 'warning' | 'notice';
  /** Absolute path (made relative to the workspace when shown). */
  file?: string | undefined;
  /** 1-based. */
  line?: number | undefined;
  column?: number | undefined;
  title?: string | undefined;
  message: string;
}

/** One row of a findings table. */
export interface CiFindingRow {
  /** Absolute path. */
  file?: string | undefined;
  line?: number | undefined;
  /** The rule or finding code (`no-unused-vars`, `E_SPECIFIER_MISMATCH`). */
  code?: string | undefined;
  message: string;
}

export interface CiBuiltArtifact {
  name: string;
  digest: string;
  size: number;
  reused: boolean;
  reproducible?: boolean | undefined;
  layers: Array<{ part: string; digest: string; size: number }>;
}

export type CiSummary =
  | {
      kind: 'build';
      commit: string;
      dirty: boolean;
      /** Each deployable and whether it is packed or reused, from the plan. */
      deployables: Array<{ name: string; reuse: string | null; reason: string }>;
      native: Array<{ package: string; target: string; builder: string }>;
      /** Known once the build is done. */
      artifacts?: CiBuiltArtifact[] | undefined;
      /** turbo's own count of tasks replayed from its cache, when it printed one. */
      turbo?: { cached: number; total: number } | undefined;
    }
  | {
      kind: 'promotion';
      action: 'promote' | 'rollback';
      name: string;
      environment: string;
      from: string | null;
      to: string;
      actor: string;
      reason: string | null;
      forced: boolean;
      gates: Array<{ gate: string; status: string; reason: string }>;
      /** Known once the pointer moved (or was found already there). */
      outcome?: 'moved' | 'noop' | 'refused' | undefined;
    }
  | {
      kind: 'findings';
      /** `lint`, `lockfile check`, `hooks run pre-commit`. */
      command: string;
      rows: CiFindingRow[];
    };

/** The port handlers get (`io.ci`). Cheap and synchronous: nothing is rendered until the command ends. */
export interface CiRecorder {
  annotate(annotations: readonly CiAnnotation[]): void;
  /** Facts for the summary; a later one of the same kind replaces the earlier (facts grow as the command goes). */
  summarize(summary: CiSummary): void;
}

/** A recorder that keeps what it is told, for main.ts to render when the command is over. */
export function createCiRecorder(): CiRecorder & { annotations: CiAnnotation[]; summaries: CiSummary[] } {
  const annotations: CiAnnotation[] = [];
  const summaries: CiSummary[] = [];
  return {
    annotations,
    summaries,
    annotate: (more) => void annotations.push(...more),
    summarize: (summary) => {
      const at = summaries.findIndex((s) => s.kind === summary.kind);
      if (at >= 0) summaries[at] = summary;
      else summaries.push(summary);
    },
  };
}
