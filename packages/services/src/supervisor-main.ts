// The devkit supervisor: one small process per running service. It starts the service as its
// child in a process group of its own (so a stop reaches every process the service forked),
// sends the service's output straight to its log file (so the service never writes into a
// dead pipe if the supervisor is killed), records both pids in supervisor.json, and on
// SIGTERM/SIGINT stops the service with its own signal, then SIGKILL after the grace period.
// It imports nothing but Node and core's Node-only subpaths (@devkit/core/process, /spawn): it
// must start fast.
import { appendFileSync, openSync, readFileSync, rmSync } from 'node:fs';
import { processIdentity } from '@devkit/core/process';
import { spawnProcess } from '@devkit/core/spawn';
import { writeJsonAtomicSync, type SupervisorSpec, type SupervisorState } from './supervisor-protocol.js';

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as SupervisorSpec;
process.title = `devkit-supervisor ${spec.name}`;

const note = (message: string) => {
  try {
    appendFileSync(spec.log, `--- devkit ${new Date().toISOString()}: ${message}\n`);
  } catch {
    // the log is best effort; the state file is what matters
  }
};

const logFd = openSync(spec.log, 'a');
note(`starting ${spec.file} ${spec.args.join(' ')}`);
// Its output goes to the log file, not through us; its end is reported below, never thrown.
const { child, finished } = spawnProcess(spec.file, spec.args, {
  cwd: spec.cwd,
  env: spec.env,
  uid: spec.uid,
  gid: spec.gid,
  detached: true,
  stdio: ['ignore', logFd, logFd],
  capture: 'none',
  reject: false,
});

const state: SupervisorState = {
  name: spec.name,
  dir: spec.cwd,
  supervisor: { pid: process.pid, id: processIdentity(process.pid) },
  service: child.pid === undefined ? null : { pid: child.pid, id: processIdentity(child.pid) },
  port: spec.port,
  binary: spec.file,
  binaryVersion: spec.binaryVersion,
  startedAt: new Date().toISOString(),
  status: 'running',
  stopSignal: spec.stopSignal,
  graceMs: spec.graceMs,
};
writeJsonAtomicSync(spec.state, state);

let stopping = false;
let killTimer: NodeJS.Timeout | undefined;

const signalGroup = (signal: NodeJS.Signals) => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
};

const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  note(`${why}: stopping with ${spec.stopSignal}, SIGKILL after ${spec.graceMs} ms`);
  state.status = 'stopping';
  writeJsonAtomicSync(spec.state, state);
  signalGroup(spec.stopSignal);
  killTimer = setTimeout(() => {
    note(`still running after ${spec.graceMs} ms: SIGKILL`);
    signalGroup('SIGKILL');
  }, spec.graceMs);
};

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
// No terminal to hang up on (the supervisor runs in a session of its own); ignore a stray one.
process.on('SIGHUP', () => {});

const exited = (code: number | null, signal: NodeJS.Signals | null) => {
  if (killTimer) clearTimeout(killTimer);
  // A service leader that died may leave workers behind (PostgreSQL backends): sweep the group.
  signalGroup('SIGKILL');
  if (stopping) {
    note(`stopped (${signal ?? `exit ${code}`})`);
    rmSync(spec.state, { force: true });
    return;
  }
  state.status = 'exited';
  state.exit = { code, signal, at: new Date().toISOString() };
  writeJsonAtomicSync(spec.state, state);
  note(`exited unexpectedly (${signal ? `killed by ${signal}` : `exit code ${code}`}); \`devkit up\` starts it again`);
  process.exitCode = 0;
};

finished.then(
  (end) => exited(end.exitCode, end.signal),
  (error: Error) => {
    state.status = 'exited';
    state.exit = { code: null, signal: null, at: new Date().toISOString(), error: error.message };
    writeJsonAtomicSync(spec.state, state);
    note(`could not start: ${error.message}`);
    process.exitCode = 1;
  },
);
