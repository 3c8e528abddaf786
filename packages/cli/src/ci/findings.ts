import { join } from 'node:path';
import type { HookFinding } from '@devkit/hooks';
import type { LockfileFinding } from '@devkit/lockfile';
import type { CiAnnotation, CiFindingRow, CiRecorder } from './facts.js';

/** Findings of the hook's checks and `devkit lint` (paths relative to `root`), for CI. */
export function recordHookFindings(
  ci: CiRecorder,
  command: string,
  root: string,
  findings: readonly HookFinding[],
): void {
  if (findings.length === 0) return;
  const file = (f: HookFinding) => (f.file === undefined ? undefined : join(root, f.file));
  ci.annotate(
    findings.map((f): CiAnnotation => ({
      level: f.severity,
      file: file(f),
      line: f.line,
      column: f.column,
      title: f.rule ? `${f.check}: ${f.rule}` : `${f.check}: ${f.code}`,
      message: `${f.message}${f.fix ? `\nfix: ${f.fix}` : ''}`,
    })),
  );
  if (findings.some((f) => f.severity === 'error'))
    ci.summarize({
      kind: 'findings',
      command,
      rows: findings.map((f): CiFindingRow => ({
        file: file(f),
        line: f.line,
        code: f.rule ?? f.code,
        message: f.message,
      })),
    });
}

/**
 * Lockfile findings, for CI: at their line of pnpm-lock.yaml when known, else at the manifest or
 * settings file the other side of the drift comes from, else at pnpm-lock.yaml itself.
 */
export function recordLockfileFindings(ci: CiRecorder, root: string, findings: readonly LockfileFinding[]): void {
  if (findings.length === 0) return;
  const place = (f: LockfileFinding) =>
    f.line !== undefined
      ? { file: join(root, 'pnpm-lock.yaml'), line: f.line }
      : { file: join(root, f.file ?? 'pnpm-lock.yaml'), line: undefined };
  ci.annotate(
    findings.map((f): CiAnnotation => ({
      level: 'error',
      ...place(f),
      title: `lockfile: ${f.code}`,
      message: `${f.message}\nfix: ${f.fix}`,
    })),
  );
  ci.summarize({
    kind: 'findings',
    command: 'lockfile check',
    rows: findings.map((f): CiFindingRow => ({ ...place(f), code: f.code, message: f.message })),
  });
}
