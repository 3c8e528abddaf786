import type { ServicesConfig } from '@devkit/config';
import type { ServicePaths } from './paths.js';

/** The kinds devkit runs. Adding one is a file in runners/ and a line in runners/index.ts. */
export type ServiceKind = keyof ServicesConfig;
export type ServiceConfig = NonNullable<ServicesConfig[ServiceKind]> & { databases?: string[] | undefined };

/** The OS package managers devkit knows how to name (and, for apt, run). */
export type PackageManager = 'apt' | 'brew' | 'dnf';

/** A binary found on the machine, with the version it reports. */
export interface LocatedBinary {
  path: string;
  version: string;
}

/** The unprivileged account services run as when devkit runs as root. */
export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

/** One configured service, resolved against this machine and this checkout. */
export interface ServiceInstance {
  kind: ServiceKind;
  /** The version devkit.json declares (major or major.minor). */
  declared: string;
  config: ServiceConfig;
  root: string;
  paths: ServicePaths;
  port: number;
  binary: LocatedBinary;
  user: ServiceUser | undefined;
}

/** Runs a program on behalf of a runner (as the service user when there is one). */
export type RunProgram = (
  file: string,
  args: readonly string[],
  options?: { cwd?: string; env?: Record<string, string> },
) => Promise<string>;

export interface LaunchCommand {
  args: string[];
  /** Extra environment on top of devkit's own. */
  env?: Record<string, string>;
}

/**
 * What each kind of service must say. Everything else — ports, the supervisor, waiting for
 * readiness, logs, snapshots — is shared.
 */
export interface ServiceRunner {
  kind: ServiceKind;
  title: string;
  /** Program names to look for, in order of preference. */
  binaries: readonly string[];
  /** Folders searched besides PATH (versioned install folders, Homebrew prefixes). */
  searchDirs(declared: string): string[];
  versionArgs: readonly string[];
  /** The package that provides the binary, per package manager. */
  packages: Record<PackageManager, (declared: string) => string>;
  /** The signal that asks the service for a clean, fast shutdown. */
  stopSignal: NodeJS.Signals;
  /** How long to wait after `stopSignal` before SIGKILL. */
  graceMs: number;
  /** Whether `paths.data` holds initialised data. */
  isInitialised(paths: ServicePaths): boolean;
  /** Initialises data into `target` (an empty folder owned by the service user). */
  init(instance: ServiceInstance, target: string, run: RunProgram): Promise<void>;
  /**
   * Data written by another major version: a message with the upgrade path, or undefined.
   * Never start a service against data it cannot read.
   */
  checkData?(instance: ServiceInstance): string | undefined;
  /**
   * Removes what a crash leaves behind that would stop the next start (PostgreSQL's
   * postmaster.pid naming a pid that now belongs to another process). Called only when devkit
   * knows the service is not running. Returns what it removed.
   */
  removeStaleFiles?(instance: ServiceInstance): string[];
  /** Files the service needs besides its data (config files), rewritten before each start. */
  writeConfig?(instance: ServiceInstance): Promise<void>;
  launch(instance: ServiceInstance): LaunchCommand;
  /** Loads what `health` needs while the service starts (so readiness is seen sooner). */
  warmUp?(): void;
  /** A real protocol check; throws (with a reason) when the service is not ready. */
  health(port: number, timeoutMs: number): Promise<void>;
  /** Work once ready (create databases). Returns what it did, for the report. */
  afterReady?(instance: ServiceInstance): Promise<string[]>;
  /** Environment variables that point applications at the service. */
  env(port: number, config: ServiceConfig): Record<string, string>;
  url(port: number, config: ServiceConfig): string;
}
