import { runCommand } from '@devkit/core';
import type { HistoryEntry } from './history.js';

/** Who is acting, for history entries and webhooks: git identity, login user, CI identity. */
export async function resolveActor(root: string, env: NodeJS.ProcessEnv): Promise<HistoryEntry['who']> {
  // One git process for both keys, on the runner's light engine: promote and rollback are
  // meant to take milliseconds. No git, or no identity configured, names no one.
  const out = await runCommand('git', ['config', '--get-regexp', '^user\\.(name|email)$'], {
    cwd: root,
    engine: 'node',
    reject: false,
  }).then(
    (result) => result.stdout,
    () => '',
  );
  // --get-regexp lists every level (system, global, local); the last one is git's answer.
  const value = (key: string) => [...out.matchAll(new RegExp(`^user\\.${key} (.*)$`, 'gm'))].at(-1)?.[1]?.trim() ?? '';
  const [name, email] = [value('name'), value('email')];
  const ci =
    env.GITHUB_ACTIONS === 'true'
      ? `github:${env.GITHUB_ACTOR ?? '?'}@${env.GITHUB_REPOSITORY ?? '?'}#${env.GITHUB_RUN_ID ?? '?'}`
      : env.GITLAB_CI === 'true'
        ? `gitlab:${env.GITLAB_USER_LOGIN ?? '?'}#${env.CI_PIPELINE_ID ?? '?'}`
        : null; // a bare CI=true names no one: git's identity or the login user says more
  return {
    git: name || email ? `${name}${email ? ` <${email}>` : ''}` : null,
    user: env.USER ?? env.LOGNAME ?? null,
    ci,
  };
}

/** The one name an actor goes by in webhooks: the CI identity, else git's, else the login user. */
export function actorLabel(who: HistoryEntry['who']): string {
  return who.ci ?? who.git ?? who.user ?? 'unknown';
}
