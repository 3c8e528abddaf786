import pc from 'picocolors';
import type { Reporter, ReporterEvent } from '@devkit/core';
import { createProgressView, DEFAULT_PROGRESS_INTERVAL_MS } from './progress.js';
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
 * output of the programs it starts on stderr (a live line that the result replaces). Progress of
 * long work goes to stderr: the live line on a TTY, otherwise throttled lines (progress.ts).
 * `close` stops the progress heartbeat once the command is over. `style` colours what goes to
 * stderr, `outStyle` what goes to stdout: each stream is coloured by its own rules (color.ts).
 */
export function createHumanReporter(
  streams: Streams,
  tty: { stdout: boolean; stderr: boolean },
  style: Style,
  progressIntervalMs = DEFAULT_PROGRESS_INTERVAL_MS,
  outStyle: Style = style,
): Reporter & { close(): void } {
  let live = false;
  const clearLive = () => {
    if (live) streams.stderr.write('\r\x1b[K');
    live = false;
  };
  const progress = createProgressView(
    {
      line: (text) => {
        clearLive();
        streams.stderr.write(`${text}\n`);
      },
      live: tty.stderr
        ? (text) => {
            clearLive();
            streams.stderr.write(style.dim(text));
            live = true;
          }
        : undefined,
      clearLive,
    },
    style,
    progressIntervalMs,
  );
  return {
    close: () => progress.close(),
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
            event.status === 'done'
              ? outStyle.green('✓')
              : event.status === 'skipped'
                ? outStyle.dim('·')
                : outStyle.red('✗');
          const what =
            event.status === 'skipped'
              ? outStyle.dim(`${event.detail ?? 'up to date'}, skipped`)
              : (event.detail ?? '');
          streams.stdout.write(
            `${mark} ${event.title.padEnd(14)} ${what} ${outStyle.dim(`(${formatDuration(event.durationMs)})`)}\n`,
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
        case 'progress':
          progress.show(event);
          return;
      }
    },
  };
}
