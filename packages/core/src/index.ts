export { DevkitError, InternalError, EXIT, isDevkitError, usageError, machineError, findingError } from './errors.js';
export type { ExitCode, DevkitErrorOptions } from './errors.js';
export { redact, redactUrlCredentials } from './redact.js';
export { sha256, digestParts } from './hash.js';
export { writeFileAtomic, readFileIfExists } from './fs.js';
export { runCommand } from './exec.js';
export type { RunOptions, RunResult } from './exec.js';
export { spawnProcess, runCommandSync, setCommandTracer } from './spawn.js';
export type {
  CommandTracer,
  CommandTraceStart,
  CommandTraceEnd,
  ProcessOptions,
  SpawnProcessOptions,
  SpawnedProcess,
  ProcessExit,
  RunSyncOptions,
} from './spawn.js';
export { CommandError, isCommandError, displayCommand } from './command-error.js';
export type { CommandFailure, CommandErrorReason } from './command-error.js';
export { LineSplitter } from './line-splitter.js';
export { silentReporter, createMemoryReporter, withProgress } from './reporter.js';
export type { Reporter, ReporterEvent, ProgressEvent, StepOutcome } from './reporter.js';
export { readState, writeState, statePath, ignoreOwnFolder } from './state.js';
export type { DevkitState } from './state.js';
export { planSteps, runSteps, StepFailedError } from './step.js';
export type { Step, StepCheck, Problem, StepPlanEntry, StepPlanStatus, StepReport, RunStepsOptions } from './step.js';
export { closest } from './suggest.js';
export { isProcessAlive, processIdentity } from './process.js';
export { withFileLock } from './file-lock.js';
export type { FileLockOptions, LockHolder } from './file-lock.js';
