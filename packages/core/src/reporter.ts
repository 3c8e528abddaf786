/** What a library reports while it works. The CLI picks how (and whether) to render it. */
export type ReporterEvent =
  | { type: 'step:start'; id: string; title: string }
  | {
      type: 'step:end';
      id: string;
      title: string;
      status: StepOutcome;
      durationMs: number;
      detail?: string | undefined;
    }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'output'; source: string; stream: 'stdout' | 'stderr'; line: string }
  | ProgressEvent;

/**
 * A phase of long work (debootstrap, an image build, a native build, a push or pull, packing):
 * `start` once, any number of `update`s as bytes move, `end` once whatever the outcome. The CLI
 * decides how often to show it: a live line on a terminal, a throttled line per phase otherwise.
 */
export interface ProgressEvent {
  type: 'progress';
  /** Unique while the phase runs (`push:api@sha256:…`): phases running side by side keep apart. */
  id: string;
  /** What is being done, for people: `pushing api to 127.0.0.1:5000/api`. */
  title: string;
  phase: 'start' | 'update' | 'end';
  /** Bytes done so far, when the work is measured in bytes. */
  bytes?: number | undefined;
  /** Bytes the whole phase will move, when known up front. */
  totalBytes?: number | undefined;
  /** On `end`: whether the phase finished its work (false when it failed or was stopped). */
  ok?: boolean | undefined;
}

export type StepOutcome = 'done' | 'skipped' | 'failed';

export interface Reporter {
  emit(event: ReporterEvent): void;
}

export const silentReporter: Reporter = { emit() {} };

/**
 * Reports one phase of long work around `work`: start, then what `work` reports through its
 * `bytes` callback (done so far), then end — also when `work` throws.
 */
export async function withProgress<T>(
  reporter: Reporter | undefined,
  phase: { id: string; title: string; totalBytes?: number | undefined },
  work: (bytes: (done: number) => void) => Promise<T>,
): Promise<T> {
  if (!reporter) return work(() => undefined);
  const { id, title, totalBytes } = phase;
  let done: number | undefined;
  reporter.emit({ type: 'progress', id, title, phase: 'start', totalBytes });
  let ok = false;
  try {
    const result = await work((n) => {
      done = n;
      reporter.emit({ type: 'progress', id, title, phase: 'update', bytes: n, totalBytes });
    });
    ok = true;
    return result;
  } finally {
    reporter.emit({ type: 'progress', id, title, phase: 'end', bytes: done, totalBytes, ok });
  }
}

/** A reporter that keeps every event: for tests and for `--json` summaries. */
export function createMemoryReporter(): Reporter & { events: ReporterEvent[] } {
  const events: ReporterEvent[] = [];
  return { events, emit: (event) => void events.push(event) };
}
