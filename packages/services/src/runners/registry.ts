import { randomBytes } from 'node:crypto';
import { chownSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from '@devkit/core';
import { httpStatus, LOOPBACK } from '../health.js';
import type { ServiceInstance, ServiceRunner } from '../runner.js';

function configPath(instance: ServiceInstance): string {
  return join(instance.paths.dir, 'config.yml');
}

/** The distribution registry's config: filesystem storage in the data folder, loopback, no auth. */
function registryConfig(instance: ServiceInstance, secret: string): string {
  return [
    '# Written by devkit on every start; edits are overwritten.',
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(instance.paths.data)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${LOOPBACK}:${instance.port}`,
    `  secret: ${secret}`,
    'health:',
    '  storagedriver:',
    '    enabled: false',
    '',
  ].join('\n');
}

export const registryRunner: ServiceRunner = {
  kind: 'registry',
  title: 'registry',
  // Debian ships distribution as `docker-registry`; upstream and Homebrew call it `registry`.
  binaries: ['docker-registry', 'registry'],
  searchDirs: () => ['/opt/homebrew/bin', '/usr/local/bin', '/home/linuxbrew/.linuxbrew/bin'],
  versionArgs: ['--version'],
  packages: { apt: () => 'docker-registry', brew: () => 'distribution', dnf: () => 'docker-distribution' },
  stopSignal: 'SIGTERM',
  graceMs: 10_000,
  isInitialised: (paths) => existsSync(paths.data),
  async init() {},
  async writeConfig(instance) {
    // The upload-signing secret stays the same across restarts so interrupted uploads can resume.
    const existing = await readFileIfExists(configPath(instance));
    const secret = /^\s*secret: (\S+)$/m.exec(existing ?? '')?.[1] ?? randomBytes(16).toString('hex');
    await writeFileAtomic(configPath(instance), registryConfig(instance, secret), 0o600);
    if (instance.user) chownSync(configPath(instance), instance.user.uid, instance.user.gid);
  },
  launch(instance) {
    return { args: ['serve', configPath(instance)] };
  },
  async health(port, timeoutMs) {
    const status = await httpStatus(port, '/v2/', timeoutMs);
    if (status !== 200) throw new Error(`GET /v2/ answered ${status}`);
  },
  env: (port) => ({ REGISTRY_URL: `http://${LOOPBACK}:${port}` }),
  url: (port) => `http://${LOOPBACK}:${port}`,
};
