import pc from 'picocolors';
import type { Reporter, ReporterEvent } from '@devkit/core';
import type { Style } from './spec.js';

export function createStyle(color: boolean): Style {
  const c = pc.createColors(color);
  return { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan };
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Human renderer: one line per finished step on stdout; on a TTY, the running step and the
 * output of the programs it starts on stderr (a live line that the result replaces).
 */
export function createHumanReporter(
  streams: Streams,
  tty: { stdout: boolean; stderr: boolean },
  style: Style,
): Reporter {
  let live = false;
  const clearLive = () => {
    if (live) streams.stderr.write('\r\x1b[K');
    live = false;
  };
  return {
    emit(event: ReporterEvent) {
      switch (event.type) {
        case 'step:start':
          if (tty.stderr) {
            clearLive();
            streams.stderr.write(style.dim(`… ${event.title}`));
            live = true;
          }
          return;
        case 'step:end': {
          clearLive();
          const mark =
            event.status === 'done' ? style.green('✓') : event.status === 'skipped' ? style.dim('·') : style.red('✗');
          const what =
            event.status === 'skipped' ? style.dim(`${event.detail ?? 'up to date'}, skipped`) : (event.detail ?? '');
          streams.stdout.write(
            `${mark} ${event.title.padEnd(14)} ${what} ${style.dim(`(${formatDuration(event.durationMs)})`)}\n`,
          );
          return;
        }
        case 'log':
          clearLive();
          streams.stderr.write(
            `${event.level === 'warn' ? style.yellow('warning') : style.cyan('note')}: ${event.message}\n`,
          );
          return;
        case 'output':
          if (tty.stderr) {
            clearLive();
            streams.stderr.write(style.dim(`  ${event.source} │ ${event.line}\n`));
          }
          return;
      }
    },
  };
}
