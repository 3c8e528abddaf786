import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** What `devkit up` asks a supervisor to run (written to `supervisor-spec.json`). */
export interface SupervisorSpec {
  name: string;
  file: string;
  args: string[];
  /** Added to the supervisor's own environment. */
  env: Record<string, string>;
  cwd: string;
  uid?: number | undefined;
  gid?: number | undefined;
  stopSignal: NodeJS.Signals;
  graceMs: number;
  log: string;
  state: string;
  port: number;
  binaryVersion: string;
}

export interface ProcessRef {
  pid: number;
  /** Boot id + start time (see processIdentity): tells a live process from a reused pid. */
  id: string | undefined;
}

/** What a supervisor records (`supervisor.json`); absent once it stopped its service on request. */
export interface SupervisorState {
  name: string;
  /** The service folder it belongs to: a state file copied along with a checkout is not ours. */
  dir?: string | undefined;
  supervisor: ProcessRef;
  service: ProcessRef | null;
  port: number;
  binary: string;
  binaryVersion: string;
  startedAt: string;
  status: 'running' | 'stopping' | 'exited';
  exit?: { code: number | null; signal: string | null; at: string; error?: string } | undefined;
  stopSignal: NodeJS.Signals;
  graceMs: number;
}

/** Synchronous atomic write (temp + rename): the supervisor may be killed between any two lines. */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readSupervisorState(path: string): SupervisorState | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as SupervisorState;
    return typeof parsed?.supervisor?.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
