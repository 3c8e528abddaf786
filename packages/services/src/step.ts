import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestParts, type Problem, type Step, type StepCheck } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import { ENV_FILE, formatEnv } from './env.js';
import { tcpAccepts } from './health.js';
import type { InstallPlan } from './install.js';
import { readStoredPort } from './ports.js';
import { recordedSetup, setupFingerprint } from './setup.js';
import { inspectService } from './supervisor.js';
import { portListening } from './process-info.js';
import { configuredTargets, type ServiceTarget } from './targets.js';
import { appliedDigest } from './applied.js';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The warm-path fingerprint: the declared services, each one's supervisor and service process
 * identities (boot id + start time, read from /proc), whether its port accepts a connection,
 * the setup inputs, and `.env.devkit`. All of it is file reads and loopback connects run in
 * parallel — no process spawned, no protocol handshake — so an unchanged bootstrap stays in
 * milliseconds, while a killed service or supervisor, a reboot or a changed migration changes it.
 */
export async function servicesFingerprint(
  root: string,
  targets: readonly ServiceTarget[],
  config: unknown,
): Promise<string> {
  const parts = await Promise.all(
    targets.map(async (target): Promise<[string, string]> => {
      const { state, record } = inspectService(target.paths);
      const port = record?.port ?? target.config.port ?? (await readStoredPort(target.paths.port));
      const accepts =
        state === 'running' && port !== undefined ? (portListening(port) ?? (await tcpAccepts(port))) : false;
      const setup = await setupFingerprint(root, target);
      return [
        target.kind,
        [
          state,
          record?.supervisor.id ?? '',
          record?.service?.id ?? '',
          port ?? '',
          accepts,
          setup ?? '',
          setup ? ((await recordedSetup(target)) ?? '') : '',
        ].join('|'),
      ];
    }),
  );
  return digestParts([
    ['config', JSON.stringify(config ?? null)],
    ...parts,
    [ENV_FILE, readOrNull(join(root, ENV_FILE))],
  ]);
}

/** The dotenv lines `.env.devkit` should hold, from the stored ports (undefined if one has none yet). */
async function expectedEnvLines(targets: readonly ServiceTarget[]): Promise<string[] | undefined> {
  const vars: Record<string, string> = {};
  for (const target of targets) {
    const port = target.config.port ?? (await readStoredPort(target.paths.port));
    if (port === undefined) return undefined;
    Object.assign(vars, target.runner.env(port, target.config));
  }
  return formatEnv(vars, 'dotenv').split('\n');
}

interface ServicesFacts {
  missing: ServiceTarget[];
  install: InstallPlan | undefined;
  problems: Problem[];
  notRunning: string[];
  setupDue: string[];
  /** Running services whose devkit.json entry changed since they were brought up. */
  reconfigure: string[];
}

async function gatherFacts(ctx: ProjectContext, targets: ServiceTarget[]): Promise<ServicesFacts> {
  // Loaded here, not at the top: a warm bootstrap decides by fingerprint and never gets here.
  const { findBinary, installHint } = await import('./locate.js');
  const { detectPackageManager, planInstall } = await import('./install.js');
  const problems: Problem[] = [];
  const missing: ServiceTarget[] = [];
  await Promise.all(
    targets.map(async (target) => {
      const { found, others } = await findBinary(target.kind, target.declared, ctx.env);
      if (found) return;
      if (others.length > 0) {
        problems.push({
          code: 'E_SERVICE_VERSION',
          kind: 'blocking',
          exitCode: 1,
          message: `services.${target.kind}.version is ${target.declared}, but the installed ${target.runner.title} is ${others[0]!.version} (${others[0]!.path})`,
          fix: `install ${target.runner.title} ${target.declared}: ${installHint(target.kind, target.declared, detectPackageManager(), process.getuid?.() === 0)}`,
        });
      } else missing.push(target);
    }),
  );
  let install: InstallPlan | undefined;
  if (missing.length > 0) {
    const manager = detectPackageManager();
    const isRoot = process.getuid?.() === 0;
    const names = missing.map((t) => t.runner.title).join(', ');
    if (manager)
      install = planInstall(
        missing.map((t) => ({ kind: t.kind, declared: t.declared })),
        manager,
        isRoot,
      );
    const canInstall = install !== undefined && install.manager === 'apt' && ctx.yes;
    problems.push({
      code: 'E_SERVICE_BINARY_MISSING',
      kind: canInstall ? 'fixable' : 'blocking',
      exitCode: 3,
      message: `${names} ${missing.length === 1 ? 'is' : 'are'} not installed`,
      fix: install
        ? install.manager === 'apt'
          ? `${install.command}   (or: devkit bootstrap --yes)`
          : install.command
        : missing.map((t) => installHint(t.kind, t.declared, undefined, isRoot)).join('; '),
    });
  }
  const notRunning: string[] = [];
  const setupDue: string[] = [];
  const reconfigure: string[] = [];
  for (const target of targets) {
    const { state, reason, record } = inspectService(target.paths);
    if (state !== 'running') notRunning.push(`${target.kind} (${reason})`);
    else {
      // Running, but since it started devkit.json may have changed its port or its databases.
      const port = target.config.port ?? (await readStoredPort(target.paths.port)) ?? record?.port ?? 0;
      const applied = readOrNull(join(target.paths.dir, 'applied.json'));
      if (!applied?.includes(appliedDigest(target, port)) || record?.port !== port) reconfigure.push(target.kind);
    }
    const wanted = await setupFingerprint(ctx.root, target);
    if (wanted !== undefined && wanted !== (await recordedSetup(target))) setupDue.push(target.kind);
  }
  return { missing, install, problems, notRunning, setupDue, reconfigure };
}

/**
 * Bootstrap step: the declared services installed (with `--yes`, through apt), running under
 * their supervisors, healthy, with databases and setup done, and `.env.devkit` written.
 */
export const servicesStep: Step<ProjectContext> = {
  id: 'services',
  title: 'services',
  async fingerprint(ctx) {
    return servicesFingerprint(ctx.root, configuredTargets(ctx.root, ctx.config), ctx.config.services);
  },
  async check(ctx): Promise<StepCheck> {
    const targets = configuredTargets(ctx.root, ctx.config);
    if (targets.length === 0) return { upToDate: true, summary: 'no services declared', problems: [] };
    const facts = await gatherFacts(ctx, targets);
    const problems = [...facts.problems];
    for (const what of facts.notRunning)
      problems.push({ code: 'W_SERVICE_DOWN', kind: 'fixable', message: `${what}`, fix: 'devkit up' });
    for (const name of facts.reconfigure)
      problems.push({
        code: 'W_SERVICE_CONFIG_CHANGED',
        kind: 'fixable',
        message: `services.${name} in devkit.json changed since ${name} started`,
        fix: `devkit up ${name}`,
      });
    for (const name of facts.setupDue)
      problems.push({
        code: 'W_SERVICE_SETUP_DUE',
        kind: 'fixable',
        message: `setup of ${name} has not run against its current inputs`,
        fix: `devkit up ${name}`,
      });
    const envText = readOrNull(join(ctx.root, ENV_FILE));
    const expected = await expectedEnvLines(targets);
    if (envText === null)
      problems.push({
        code: 'W_ENV_FILE_MISSING',
        kind: 'fixable',
        message: `${ENV_FILE} has not been written`,
        fix: 'devkit bootstrap',
      });
    else if (expected !== undefined && !expected.every((line) => envText.includes(`${line}\n`))) {
      problems.push({
        code: 'W_ENV_FILE_STALE',
        kind: 'fixable',
        message: `${ENV_FILE} does not match the services' current URLs`,
        fix: 'devkit bootstrap',
      });
    }
    const upToDate = problems.length === 0;
    const summary = upToDate
      ? `${targets.map((t) => t.kind).join(', ')} running`
      : facts.missing.length > 0
        ? `${facts.missing.map((t) => t.kind).join(', ')} not installed`
        : facts.notRunning.length > 0
          ? `not running: ${facts.notRunning.map((n) => n.split(' ')[0]).join(', ')}`
          : facts.reconfigure.length > 0
            ? `config changed: ${facts.reconfigure.join(', ')}`
            : facts.setupDue.length > 0
              ? `setup due: ${facts.setupDue.join(', ')}`
              : `${ENV_FILE} to write`;
    return { upToDate, summary, problems };
  },
  async run(ctx) {
    const targets = configuredTargets(ctx.root, ctx.config);
    const facts = await gatherFacts(ctx, targets);
    const { applyInstall } = await import('./install.js');
    const { upServices } = await import('./up.js');
    if (facts.install && ctx.yes) {
      ctx.reporter.emit({
        type: 'log',
        level: 'info',
        message: `installing ${facts.install.packages.join(', ')}: ${facts.install.command}`,
      });
      await applyInstall(facts.install, ctx.env);
    }
    await upServices({ root: ctx.root, config: ctx.config, env: ctx.env, reporter: ctx.reporter, names: [] });
  },
};
