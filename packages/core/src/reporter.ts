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
  | { type: 'output'; source: string; stream: 'stdout' | 'stderr'; line: string };

export type StepOutcome = 'done' | 'skipped' | 'failed';

export interface Reporter {
  emit(event: ReporterEvent): void;
}

export const silentReporter: Reporter = { emit() {} };

/** A reporter that keeps every event: for tests and for `--json` summaries. */
export function createMemoryReporter(): Reporter & { events: ReporterEvent[] } {
  const events: ReporterEvent[] = [];
  return { events, emit: (event) => void events.push(event) };
}
