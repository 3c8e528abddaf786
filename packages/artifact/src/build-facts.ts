import { hostname, userInfo } from 'node:os';
import { redactUrlCredentials, runCommand } from '@devkit/core';
import { compressionLabel } from './block-gzip.js';
import { ownPathspecs } from './own-files.js';

/** The checkout a build comes from, as its build record and provenance state it. */
export interface GitState {
  commit: string;
  dirty: boolean;
  /** Paths with uncommitted changes (git status --porcelain). */
  changes: string[];
  /** The branch (refs/heads/…), null on a detached HEAD. */
  ref: string | null;
  /** remote.origin.url, credentials redacted. */
  remote: string | null;
}

/**
 * Reads the checkout's commit, uncommitted changes, branch and origin (exit 2 outside a git
 * checkout). devkit's own folders (.devkit/, .turbo/ at any depth, .env.devkit) and the
 * repo-relative folders in `exclude` (a store configured inside the checkout) never count as
 * changes: a build would otherwise refuse what the previous one wrote.
 */
export async function readGitState(root: string, options: { exclude?: readonly string[] } = {}): Promise<GitState> {
  const git = (args: string[]) =>
    runCommand('git', args, {
      cwd: root,
      failure: {
        code: 'E_NOT_A_GIT_REPO',
        exitCode: 2,
        hint: 'run devkit build in a git checkout with at least one commit',
      },
    });
  const commit = (await git(['rev-parse', 'HEAD'])).stdout.trim();
  const status = (
    await git(['status', '--porcelain', '--untracked-files=normal', '--', ':/', ...ownPathspecs(options.exclude)])
  ).stdout;
  const changes = status
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  const ref =
    (
      await runCommand('git', ['symbolic-ref', '-q', 'HEAD'], { cwd: root }).catch(() => ({ stdout: '' }))
    ).stdout.trim() || null;
  const remote =
    (
      await runCommand('git', ['config', '--get', 'remote.origin.url'], { cwd: root }).catch(() => ({ stdout: '' }))
    ).stdout.trim() || null;
  return { commit, dirty: changes.length > 0, changes, ref, remote: remote ? redactUrlCredentials(remote) : null };
}

/** The toolchain a build records (and its inputs digest covers): node, pnpm, platform, the compressor. */
export async function readBuildToolchain(root: string): Promise<Record<string, string>> {
  const pnpm = await runCommand('pnpm', ['--version'], {
    cwd: root,
    missingHint: 'install pnpm (`devkit bootstrap` does)',
  });
  return {
    node: process.version,
    pnpm: pnpm.stdout.trim(),
    platform: `${process.platform}-${process.arch}`,
    compression: compressionLabel(),
  };
}

/**
 * Who built it, for provenance: DEVKIT_BUILDER_ID when the CI sets one, the CI's own
 * identity when it is recognised, otherwise this user on this host — which a production
 * gate requiring a trusted builder will refuse.
 */
export function builderIdentity(env: NodeJS.ProcessEnv): string {
  if (env.DEVKIT_BUILDER_ID) return env.DEVKIT_BUILDER_ID;
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_REPOSITORY)
    return `https://github.com/${env.GITHUB_REPOSITORY}/actions`;
  if (env.GITLAB_CI === 'true' && env.CI_PROJECT_URL) return `${env.CI_PROJECT_URL}/-/pipelines`;
  let user = env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for this uid
  }
  return `local:${user}@${hostname()}`;
}
