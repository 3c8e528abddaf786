import { appendFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { isDevkitError } from '@devkit/core';
import { formatBytes } from '../bytes.js';
import type { CiAnnotation, CiFindingRow, CiSummary } from './facts.js';

/** A workflow command's message, escaped as GitHub's toolkit escapes it: % CR LF. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: also `:` and `,`, which separate properties. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Where the paths of annotations are relative to: the job's workspace (the checkout), else `fallback`. */
function workspaceOf(env: NodeJS.ProcessEnv, fallback: string): string {
  return env.GITHUB_WORKSPACE || fallback;
}

/** A path as GitHub wants it: relative to the workspace, `/` separated; absolute when outside it. */
function shownPath(file: string, workspace: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(workspace, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split('\\').join('/');
}

/** `::error file=src/a.ts,line=3,col=7,title=no-unused-vars::'x' is never used`. */
export function formatAnnotation(annotation: CiAnnotation, workspace: string): string {
  const properties: Array<[string, string | number | undefined]> = [
    ['file', annotation.file === undefined ? undefined : shownPath(annotation.file, workspace)],
    ['line', annotation.line],
    ['col', annotation.column],
    ['title', annotation.title],
  ];
  const shown = properties
    .filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${annotation.level}${shown ? ` ${shown}` : ''}::${escapeData(annotation.message)}`;
}

interface ConfigIssueDetail {
  file?: unknown;
  line?: unknown;
  column?: unknown;
  keyPath?: unknown;
  message?: unknown;
  expected?: unknown;
  found?: unknown;
}

/**
 * The annotations of a command that failed with an error: one per devkit.json issue (at its
 * key's line and column), the error's own file and line when it names them, else one
 * annotation for the job with the code, the message and the fix.
 */
export function annotationsFromError(error: unknown): CiAnnotation[] {
  if (!isDevkitError(error)) {
    return [
      {
        level: 'error',
        title: 'devkit: internal error',
        message: error instanceof Error ? error.message : String(error),
      },
    ];
  }
  const details = error.details ?? {};
  const issues = Array.isArray(details.issues) ? (details.issues as ConfigIssueDetail[]) : [];
  const located = issues.filter((i) => typeof i.file === 'string' && typeof i.line === 'number');
  if (located.length > 0) {
    return located.map((i) => ({
      level: 'error' as const,
      file: i.file as string,
      line: i.line as number,
      column: typeof i.column === 'number' ? i.column : undefined,
      title: `${error.code} ${typeof i.keyPath === 'string' ? i.keyPath : ''}`.trim(),
      message: `${typeof i.message === 'string' ? i.message : error.message}${typeof i.expected === 'string' && !String(i.message).includes('expected') ? ` (expected ${i.expected})` : ''}${error.hint ? `\nfix: ${error.hint}` : ''}`,
    }));
  }
  return [
    {
      level: 'error',
      file: typeof details.file === 'string' ? details.file : undefined,
      line: typeof details.line === 'number' ? details.line : undefined,
      title: error.code,
      message: `${error.message}${error.hint ? `\nfix: ${error.hint}` : ''}`,
    },
  ];
}

/** A Markdown table cell: no pipe or line break can break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** Rows a findings table shows; the rest is a count (every finding is in the log and in --json). */
const SHOWN_ROWS = 30;

function findingRows(rows: readonly CiFindingRow[], workspace: string): string[] {
  const shown = rows
    .slice(0, SHOWN_ROWS)
    .map((r) => [
      r.file ? code(shownPath(r.file, workspace)) : '',
      r.line === undefined ? '' : String(r.line),
      r.code ?? '',
      r.message.split('\n')[0] ?? '',
    ]);
  return [
    ...table(['file', 'line', 'rule', 'message'], shown),
    ...(rows.length > SHOWN_ROWS ? ['', `… and ${rows.length - SHOWN_ROWS} more (all are in the job log)`] : []),
  ];
}

function reuseWords(a: { reused: boolean; reproducible?: boolean | undefined }): string {
  if (!a.reused) return 'built';
  return a.reproducible ? 'rebuilt, bit-for-bit identical' : 'reused (inputs unchanged)';
}

/** How the command ended, for the summary: its error when it failed. */
export interface CiOutcome {
  command: string;
  exitCode: number;
  error?: unknown;
}

function failureLines(outcome: CiOutcome): string[] {
  if (outcome.error === undefined) return [];
  const error = outcome.error;
  const text = isDevkitError(error)
    ? `${error.code}: ${error.message}${error.hint ? `\n\nfix: ${error.hint}` : ''}`
    : error instanceof Error
      ? error.message
      : String(error);
  return ['', `**Failed** (exit ${outcome.exitCode}):`, '', '```', text.replace(/```/g, "'''"), '```'];
}

function summaryLines(summary: CiSummary, outcome: CiOutcome, workspace: string): string[] {
  const mark = outcome.exitCode === 0 ? '✅' : '❌';
  switch (summary.kind) {
    case 'build': {
      const lines = [
        `### ${mark} devkit build`,
        '',
        `commit ${code(summary.commit)}${summary.dirty ? ' (dirty work tree)' : ''}`,
      ];
      if (summary.artifacts && summary.artifacts.length > 0) {
        lines.push(
          '',
          ...table(
            ['artifact', 'digest', 'size', 'layers', 'how'],
            summary.artifacts.map((a) => [
              a.name,
              code(a.digest),
              formatBytes(a.size),
              a.layers.map((l) => `${l.part} ${formatBytes(l.size)}`).join(', '),
              reuseWords(a),
            ]),
          ),
        );
      } else if (summary.deployables.length > 0) {
        lines.push(
          '',
          ...table(
            ['deployable', 'plan'],
            summary.deployables.map((d) => [d.name, d.reuse ? `reuse ${code(d.reuse)}` : `pack: ${d.reason}`]),
          ),
        );
      }
      if (summary.native.length > 0) {
        lines.push(
          '',
          ...table(
            ['native package', 'target', 'builder'],
            summary.native.map((n) => [n.package, n.target, n.builder]),
          ),
        );
      }
      if (summary.turbo)
        lines.push('', `turbo: ${summary.turbo.cached} of ${summary.turbo.total} tasks replayed from its cache`);
      return lines;
    }
    case 'promotion': {
      const verb = summary.action === 'promote' ? 'promote' : 'rollback';
      const lines = [`### ${mark} devkit ${verb} ${summary.name} in ${summary.environment}`, ''];
      const outcome =
        summary.outcome === 'noop'
          ? 'already there: nothing to do'
          : summary.outcome === 'refused'
            ? 'refused by a gate'
            : summary.outcome === 'moved'
              ? 'moved'
              : 'not moved';
      lines.push(
        ...table(
          ['', ''],
          [
            ['environment', summary.environment],
            ['from', summary.from ? code(summary.from) : '(nothing yet)'],
            ['to', code(summary.to)],
            ['pointer', outcome],
            ['actor', summary.actor],
            ...(summary.forced ? [['forced', 'yes']] : []),
            ...(summary.reason ? [['reason', summary.reason]] : []),
          ],
        ),
      );
      if (summary.gates.length > 0)
        lines.push(
          '',
          ...table(
            ['gate', 'verdict', 'why'],
            summary.gates.map((g) => [g.gate, g.status, g.reason]),
          ),
        );
      return lines;
    }
    case 'findings':
      return [
        `### ${mark} devkit ${summary.command}: ${summary.rows.length} finding${summary.rows.length === 1 ? '' : 's'}`,
        '',
        ...findingRows(summary.rows, workspace),
      ];
  }
}

/** The Markdown devkit appends to the step summary for one command. Empty when there is nothing to say. */
export function renderSummary(summaries: readonly CiSummary[], outcome: CiOutcome, workspace: string): string {
  const sections = summaries.map((s) => summaryLines(s, outcome, workspace));
  if (sections.length === 0 && outcome.error !== undefined) sections.push([`### ❌ devkit ${outcome.command}`]);
  if (sections.length === 0) return '';
  sections[sections.length - 1]!.push(...failureLines(outcome));
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n\n`;
}

/**
 * Appends to $GITHUB_STEP_SUMMARY in one write to a file opened for appending: two devkit
 * commands of one step (or a parallel one) never interleave their sections. A summary that
 * cannot be written costs the job its summary, never its result.
 */
export function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): string | undefined {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file || !markdown) return undefined;
  try {
    appendFileSync(file, markdown, { flag: 'a' });
    return undefined;
  } catch (error) {
    return `could not append to GITHUB_STEP_SUMMARY (${file}): ${(error as Error).message}`;
  }
}

/** What main.ts hands over once a command is done. */
export interface GithubReport {
  annotations: readonly CiAnnotation[];
  summaries: readonly CiSummary[];
  outcome: CiOutcome;
  /** Where relative paths point when GITHUB_WORKSPACE is not set: the folder devkit acted on. */
  cwd: string;
}

/**
 * GitHub's view of a command: its annotations as workflow commands (on `out`: stdout, or stderr
 * under --json so stdout stays one JSON document; the runner reads both), and its summary
 * appended to the step summary. Returns a problem to tell the user, if any.
 */
export function publishToGithub(
  report: GithubReport,
  out: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const workspace = workspaceOf(env, report.cwd);
  const annotations = [...report.annotations];
  if (report.outcome.error !== undefined) annotations.push(...annotationsFromError(report.outcome.error));
  if (annotations.length > 0) out.write(`${annotations.map((a) => formatAnnotation(a, workspace)).join('\n')}\n`);
  return appendStepSummary(env, renderSummary(report.summaries, report.outcome, workspace));
}
