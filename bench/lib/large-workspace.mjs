// A large, realistic pnpm workspace (≈2,000 real packages from the registry), made once under
// bench/.work/ and reused by every benchmark that needs one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORK, sh } from './harness.mjs';

export const LARGE_WORKSPACE = join(WORK, 'large-workspace');

// Popular packages of a typical product monorepo: front end, back end, tooling. Pinned so the
// workspace is the same every time it is made.
const APPS = {
  'apps/web': {
    next: '15.5.4',
    react: '19.1.1',
    'react-dom': '19.1.1',
    '@tanstack/react-query': '5.90.2',
    'styled-components': '6.1.19',
    tailwindcss: '4.1.13',
  },
  'apps/api': {
    express: '5.1.0',
    '@nestjs/core': '11.1.6',
    '@nestjs/common': '11.1.6',
    'reflect-metadata': '0.2.2',
    rxjs: '7.8.2',
    pg: '8.16.3',
    ioredis: '5.8.0',
    mongoose: '8.18.2',
    sequelize: '6.37.7',
  },
  'apps/admin': {
    '@angular/core': '20.3.2',
    '@angular/common': '20.3.2',
    '@angular/cli': '20.3.3',
    'zone.js': '0.15.1',
  },
  'packages/cloud': {
    '@aws-sdk/client-s3': '3.896.0',
    '@aws-sdk/client-dynamodb': '3.896.0',
    firebase: '12.3.0',
    '@google-cloud/storage': '7.17.1',
  },
  'packages/tooling': {
    webpack: '5.101.3',
    'webpack-cli': '6.0.1',
    'webpack-dev-server': '5.2.2',
    '@babel/core': '7.28.4',
    '@babel/preset-env': '7.28.3',
    jest: '30.1.3',
    eslint: '9.36.0',
    typescript: '5.9.2',
    vite: '7.1.7',
    rollup: '4.52.2',
    sass: '1.93.2',
    postcss: '8.5.6',
    '@storybook/react': '9.1.8',
    gatsby: '5.15.0',
  },
};

function packagesInLockfile(dir) {
  const lockfile = readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8');
  const section = lockfile.slice(lockfile.indexOf('\npackages:\n'), lockfile.indexOf('\nsnapshots:\n'));
  return section.split('\n').filter((line) => /^ {2}\S/.test(line)).length;
}

/** Makes the workspace (first call only) and returns its folder and package count. */
export function ensureLargeWorkspace() {
  const marker = join(LARGE_WORKSPACE, '.made');
  if (!existsSync(marker)) {
    mkdirSync(LARGE_WORKSPACE, { recursive: true });
    writeFileSync(
      join(LARGE_WORKSPACE, 'package.json'),
      `${JSON.stringify({ name: 'large', private: true, packageManager: 'pnpm@10.34.9' }, null, 2)}\n`,
    );
    writeFileSync(join(LARGE_WORKSPACE, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n  - packages/*\n');
    for (const [dir, dependencies] of Object.entries(APPS)) {
      mkdirSync(join(LARGE_WORKSPACE, dir), { recursive: true });
      writeFileSync(
        join(LARGE_WORKSPACE, dir, 'package.json'),
        `${JSON.stringify({ name: `@large/${dir.split('/')[1]}`, version: '1.0.0', private: true, dependencies }, null, 2)}\n`,
      );
    }
    console.error('bench: making the large workspace (once; a few minutes)…');
    sh('pnpm', ['install', '--ignore-scripts', '--reporter=silent'], {
      cwd: LARGE_WORKSPACE,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    sh('git', ['init', '-q'], { cwd: LARGE_WORKSPACE });
    writeFileSync(marker, new Date().toISOString());
  }
  return { dir: LARGE_WORKSPACE, packages: packagesInLockfile(LARGE_WORKSPACE) };
}
