import type { HookFinding, HookRunReport } from '@devkit/hooks';
import type { Style } from '../spec.js';

function location(finding: HookFinding): string {
  if (!finding.file) return '';
  if (finding.line === undefined) return finding.file;
  return `${finding.file}:${finding.line}${finding.column === undefined ? '' : `:${finding.column}`}`;
}

function scopeWords(report: HookRunReport): string {
  const n = report.files.length;
  const files = `${n} file${n === 1 ? '' : 's'}`;
  if (report.scope.kind === 'staged') return `${n} staged file${n === 1 ? '' : 's'}`;
  if (report.scope.kind === 'since') return `${files} changed since ${report.scope.ref}`;
  return `${files} tracked`;
}

/**
 * Human lines for a hook or lint run: one line per finding (file:line:col, severity, message,
 * rule), then under each file the one thing to do about it.
 */
export function renderHookReport(title: string, report: HookRunReport, s: Style): string[] {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const checks = report.checks.map((c) => `${c.name} ${c.status}`).join(', ');
  const lines: string[] = [];
  if (errors === 0) {
    lines.push(`${s.green('✓')} ${title}: ${scopeWords(report)} checked${checks ? ` ${s.dim(`(${checks})`)}` : ''}`);
  } else {
    lines.push(
      `${s.red('✗')} ${title}: ${errors} problem${errors === 1 ? '' : 's'} in ${scopeWords(report)}${checks ? ` ${s.dim(`(${checks})`)}` : ''}`,
    );
  }
  const byFile = new Map<string, HookFinding[]>();
  for (const finding of report.findings) {
    const key = finding.file ?? '';
    byFile.set(key, [...(byFile.get(key) ?? []), finding]);
  }
  for (const [, findings] of byFile) {
    for (const f of findings) {
      const where = location(f);
      const severity = f.severity === 'error' ? s.red('error') : s.yellow('warning');
      const [first = '', ...rest] = f.message.split('\n');
      lines.push(`${where ? `${s.bold(where)}  ` : ''}${severity}  ${first}${f.rule ? `  ${s.dim(f.rule)}` : ''}`);
      for (const line of rest) lines.push(`    ${s.dim(line)}`);
    }
    for (const fix of new Set(findings.map((f) => f.fix).filter((fix): fix is string => fix !== undefined)))
      lines.push(`  ${s.cyan('fix:')} ${fix}`);
  }
  const inIndex = report.fixed.filter((f) => f.where === 'index').map((f) => f.file);
  const both = report.fixed.filter((f) => f.where === 'index+worktree').map((f) => f.file);
  if (both.length > 0) lines.push(`${s.green('fixed')} and re-staged: ${both.join(', ')}`);
  if (inIndex.length > 0)
    lines.push(
      `${s.green('fixed')} in the staged version only (unstaged changes kept; your working copy still has the unfixed lines): ${inIndex.join(', ')}`,
    );
  return lines;
}
