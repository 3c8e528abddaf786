import type { ProgressEvent } from '@devkit/core';
import { formatBytes } from './bytes.js';
import type { Style } from './spec.js';

/** How often a phase gets a line when stderr is not a terminal, unless DEVKIT_PROGRESS_INTERVAL_MS says otherwise. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;
/** How often a terminal's live line is redrawn: often enough to look alive, rarely enough to cost nothing. */
const LIVE_REDRAW_MS = 100;

/** The line interval from DEVKIT_PROGRESS_INTERVAL_MS (a whole number of ms ≥ 1), else the default. */
export function progressInterval(env: NodeJS.ProcessEnv): number {
  const raw = env.DEVKIT_PROGRESS_INTERVAL_MS;
  if (raw === undefined || !/^\d+$/.test(raw.trim()) || Number(raw) < 1) return DEFAULT_PROGRESS_INTERVAL_MS;
  return Number(raw);
}

/** `850 ms`, `12.3 s`, `5m 02s`: how long a phase has run. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

export interface ProgressOutput {
  /** A line of its own (non-terminal mode): written as is, with a line break. */
  line(text: string): void;
  /** The terminal's live line: replaces the one shown; undefined when stderr is not a terminal. */
  live?: ((text: string) => void) | undefined;
  /** Removes the live line (a phase ended). */
  clearLive(): void;
}

export interface ProgressView {
  show(event: ProgressEvent): void;
  /** Stops the heartbeat timer; phases still running get no more lines. */
  close(): void;
}

interface Running {
  title: string;
  startedAt: number;
  shownAt: number;
  bytes: number | undefined;
  totalBytes: number | undefined;
}

function amount(phase: Running): string {
  if (phase.bytes === undefined) return phase.totalBytes === undefined ? '' : `0 B of ${formatBytes(phase.totalBytes)}`;
  if (phase.totalBytes === undefined || phase.totalBytes === 0) return formatBytes(phase.bytes);
  const percent = Math.min(100, Math.floor((phase.bytes / phase.totalBytes) * 100));
  return `${formatBytes(phase.bytes)} of ${formatBytes(phase.totalBytes)} (${percent}%)`;
}

/**
 * Progress of long work. On a terminal: one live line, redrawn at most every 100 ms. Otherwise
 * (CI, a redirect): a line when a phase starts and when it ends, and in between at most one line
 * per phase every `intervalMs` — from its byte updates, or from a heartbeat when the work reports
 * none (debootstrap, an image build) — so a five-minute step is never five silent minutes.
 */
export function createProgressView(
  output: ProgressOutput,
  style: Style,
  intervalMs: number,
  now: () => number = () => performance.now(),
): ProgressView {
  const running = new Map<string, Running>();
  let heartbeat: NodeJS.Timeout | undefined;

  const during = (phase: Running, at: number) =>
    [amount(phase), formatElapsed(at - phase.startedAt)].filter(Boolean).join(', ');
  const showLive = (phase: Running, at: number) => {
    phase.shownAt = at;
    output.live?.(`… ${phase.title}: ${during(phase, at)}`);
  };
  const showLine = (phase: Running, at: number) => {
    phase.shownAt = at;
    output.line(style.dim(`… ${phase.title}: ${phase.bytes === undefined ? 'running, ' : ''}${during(phase, at)}`));
  };
  const tick = () => {
    const at = now();
    for (const phase of running.values()) if (at - phase.shownAt >= intervalMs) showLine(phase, at);
  };
  const stopHeartbeat = () => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = undefined;
  };

  return {
    show(event) {
      const at = now();
      if (event.phase === 'start') {
        const phase: Running = {
          title: event.title,
          startedAt: at,
          shownAt: at,
          bytes: event.bytes,
          totalBytes: event.totalBytes,
        };
        running.set(event.id, phase);
        if (output.live) return showLive(phase, at);
        output.line(
          style.dim(`… ${event.title}${event.totalBytes === undefined ? '' : ` (${formatBytes(event.totalBytes)})`}`),
        );
        if (!heartbeat) {
          // Ticks finer than the interval, so a phase's line comes within a fifth of an interval
          // of being due rather than a whole interval late when the timer fires a hair early.
          heartbeat = setInterval(tick, Math.max(10, Math.floor(intervalMs / 5)));
          // The heartbeat never keeps devkit alive: the work does.
          heartbeat.unref();
        }
        return;
      }
      const phase = running.get(event.id);
      if (!phase) return;
      if (event.bytes !== undefined) phase.bytes = event.bytes;
      if (event.totalBytes !== undefined) phase.totalBytes = event.totalBytes;
      if (event.phase === 'update') {
        if (output.live) {
          if (at - phase.shownAt >= LIVE_REDRAW_MS) showLive(phase, at);
        } else if (at - phase.shownAt >= intervalMs) showLine(phase, at);
        return;
      }
      running.delete(event.id);
      if (running.size === 0) stopHeartbeat();
      if (output.live) {
        output.clearLive();
        const other = [...running.values()].at(-1);
        if (other) showLive(other, at);
        return;
      }
      const moved = phase.bytes === undefined ? '' : `${formatBytes(phase.bytes)} in `;
      output.line(
        event.ok === false
          ? `${style.red('✗')} ${phase.title}: stopped after ${formatElapsed(at - phase.startedAt)}`
          : `${style.green('✓')} ${phase.title}: ${moved}${formatElapsed(at - phase.startedAt)}`,
      );
    },
    close: stopHeartbeat,
  };
}
