// A wide pnpm workspace: 300 importers (the root and 299 projects) over ≈1,400 real packages
// from the registry, shaped like a large product monorepo: apps, services, libraries and tools
// that depend on each other with `workspace:` and on registry packages through the default
// catalog, two named catalogs and plain ranges, with overrides in pnpm-workspace.yaml. Made once
// under bench/.work/ (pnpm itself installs it and writes its lockfile) and reused.
//
// The projects and their dependencies come from a fixed-seed generator, so the manifests are
// the same every time the workspace is made; the packages are exact versions (catalogs) or
// ranges whose lowest version is pinned, as real repos write them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORK, sh } from './harness.mjs';

export const WIDE_WORKSPACE = join(WORK, 'wide-workspace');
export const WIDE_PNPM = '10.34.9';

/** The default catalog: what most projects take through `catalog:`. */
const CATALOG = {
  typescript: '5.9.2',
  '@types/node': '26.6.11',
  eslint: '9.36.0',
  jest: '30.1.3',
  zod: '3.25.76',
  lodash: '4.17.23',
  'date-fns': '2.30.0',
  axios: '1.21.1',
  uuid: '9.0.1',
  chalk: '5.6.2',
  commander: '12.1.0',
  debug: '4.4.3',
  rxjs: '7.8.2',
  tslib: '2.8.1',
  express: '5.1.0',
  pg: '8.16.3',
  ioredis: '5.8.0',
  graphql: '16.15.0',
  '@tanstack/react-query': '5.90.2',
  vite: '7.1.7',
  esbuild: '0.25.12',
  postcss: '8.5.6',
  webpack: '5.101.3',
  '@babel/core': '7.28.4',
  '@babel/preset-env': '7.28.3',
  rollup: '4.52.2',
  next: '15.5.4',
};
/** Named catalogs: the UI libraries are moving from React 18 to 19, project by project. */
const CATALOGS = {
  react18: { react: '18.3.1', 'react-dom': '18.3.1', 'react-is': '18.3.1' },
  react19: { react: '19.1.1', 'react-dom': '19.1.1', '@types/react': '19.3.3' },
};
/** Security pins and one catalog reference, as teams write them. */
const OVERRIDES = {
  'semver@<6': '^6.3.1',
  braces: '^3.0.3',
  'cookie@<0.7.0': '0.7.2',
  'path-to-regexp@<0.1.12': '0.1.12',
  lodash: 'catalog:',
};

/** Registry packages taken with a plain range; the version is the lowest the range allows. */
const RUNTIME = {
  'fs-extra': '11.4.1',
  glob: '10.5.0',
  semver: '7.7.2',
  yargs: '17.7.3',
  dotenv: '8.6.0',
  ws: '8.21.3',
  cookie: '0.7.2',
  cors: '2.8.6',
  'body-parser': '2.4.0',
  nanoid: '3.3.20',
  immer: '9.0.21',
  redux: '4.2.1',
  moment: '2.31.0',
  'moment-timezone': '0.5.48',
  validator: '13.15.35',
  joi: '17.13.9',
  'p-limit': '3.1.0',
  'lru-cache': '10.4.3',
  ms: '2.1.3',
  he: '1.2.0',
  'graphql-tag': '2.12.7',
  'socket.io': '4.8.4',
  'socket.io-client': '4.8.4',
  'node-fetch': '2.7.0',
  'form-data': '4.0.6',
  'mime-types': '3.0.2',
  qs: '6.13.0',
  picomatch: '4.0.3',
  micromatch: '4.0.8',
  chokidar: '4.0.3',
  yaml: '2.9.1',
  'js-yaml': '4.3.2',
  ajv: '8.17.1',
  'ajv-formats': '3.0.1',
  'fast-xml-parser': '5.2.5',
  busboy: '1.6.0',
  multer: '2.5.0',
  compression: '1.8.2',
  'escape-html': '1.0.3',
  eventemitter3: '5.0.4',
  'tiny-invariant': '1.3.3',
  'prop-types': '15.8.1',
  'path-to-regexp': '8.2.0',
  'query-string': '6.14.1',
  'source-map-support': '0.5.21',
  'iconv-lite': '0.7.3',
  execa: '8.0.1',
  'cross-spawn': '7.1.2',
  which: '5.0.0',
  'signal-exit': '4.1.0',
  minimist: '1.2.8',
  picocolors: '1.1.1',
  'magic-string': '0.30.17',
  'fast-glob': '3.3.3',
  htmlparser2: '6.1.0',
  mongoose: '8.18.2',
  'reflect-metadata': '0.2.2',
  '@nestjs/core': '11.1.6',
  '@nestjs/common': '11.1.6',
  'styled-components': '6.1.19',
  tailwindcss: '4.1.13',
  autoprefixer: '10.7.1',
  sass: '1.93.2',
  '@babel/runtime': '7.29.16',
  'core-js': '3.51.0',
};
const RUNTIME_NAMES = Object.keys(RUNTIME);
const CATALOG_RUNTIME = ['zod', 'lodash', 'date-fns', 'axios', 'uuid', 'chalk', 'commander', 'debug', 'rxjs', 'tslib'];

/** Folders and how many projects each holds (299 with the root's 300th importer). */
const GROUPS = { packages: 170, libs: 50, services: 40, apps: 20, tools: 19 };

// mulberry32: a small fixed-seed generator, so the manifests are the same on every machine
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The projects' manifests by folder (root excluded). */
export function wideManifests() {
  const rand = random(20260);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const pickSome = (list, n) => {
    const chosen = new Set();
    while (chosen.size < Math.min(n, list.length)) chosen.add(pick(list));
    return [...chosen];
  };
  const manifests = {};
  const made = [];
  // tools first: every other project depends on some of them, so the graph has real fan-in
  const order = ['tools', 'libs', 'packages', 'services', 'apps'];
  for (const group of order) {
    for (let i = 0; i < GROUPS[group]; i++) {
      const dir = `${group}/${group.replace(/s$/, '')}-${String(i).padStart(3, '0')}`;
      const name = `@wide/${dir.split('/')[1]}`;
      const dependencies = {};
      const devDependencies = { typescript: 'catalog:', '@types/node': 'catalog:' };
      const manifest = {
        name,
        version: group === 'apps' || group === 'services' ? '0.0.0' : `1.${i % 7}.0`,
        private: true,
      };
      if (group !== 'tools') {
        const tools = made.filter((p) => p.group === 'tools');
        for (const tool of pickSome(tools, 2)) devDependencies[tool.name] = 'workspace:*';
        const libs = made.filter((p) => p.group !== 'tools' && p.group !== 'apps' && p.group !== 'services');
        const count = group === 'apps' ? 8 : group === 'services' ? 5 : Math.floor(rand() * 4);
        for (const lib of pickSome(libs, count)) dependencies[lib.name] = rand() < 0.7 ? 'workspace:*' : 'workspace:^';
      } else {
        devDependencies.eslint = 'catalog:';
        const bundler = ['rollup', 'webpack', 'esbuild'][i % 3];
        dependencies[bundler] = 'catalog:';
        if (bundler === 'webpack')
          Object.assign(dependencies, {
            '@babel/core': 'catalog:',
            '@babel/preset-env': 'catalog:',
            'webpack-cli': '^6.0.1',
            'webpack-dev-server': '^5.2.2',
          });
      }
      for (const dep of pickSome(CATALOG_RUNTIME, 1 + Math.floor(rand() * 3))) dependencies[dep] = 'catalog:';
      for (const dep of pickSome(RUNTIME_NAMES, Math.floor(rand() * 4))) dependencies[dep] = `^${RUNTIME[dep]}`;
      if (group === 'services') {
        dependencies.express = 'catalog:';
        dependencies[rand() < 0.5 ? 'pg' : 'ioredis'] = 'catalog:';
        devDependencies.jest = 'catalog:';
        if (rand() < 0.3) dependencies['@aws-sdk/client-s3'] = '^3.896.0';
        if (rand() < 0.2) dependencies['@google-cloud/storage'] = '^7.17.1';
        if (rand() < 0.2) dependencies.sequelize = '^6.37.7';
      }
      if (group === 'apps' || (group === 'packages' && rand() < 0.3)) {
        const react = rand() < 0.6 ? 'react19' : 'react18';
        const target = group === 'apps' ? dependencies : devDependencies;
        for (const dep of Object.keys(CATALOGS[react])) target[dep] = `catalog:${react}`;
        if (group === 'packages') manifest.peerDependencies = { react: '^18.0.0 || ^19.0.0' };
        if (group === 'apps') {
          dependencies['@tanstack/react-query'] = 'catalog:';
          if (i % 2 === 0) dependencies.next = 'catalog:';
          else devDependencies.vite = 'catalog:';
          if (i % 5 === 0) dependencies.firebase = '^12.3.0';
          if (i % 4 === 1)
            Object.assign(dependencies, {
              '@angular/core': '^20.3.2',
              '@angular/common': '^20.3.2',
              'zone.js': '^0.15.1',
            });
          if (i === 1) devDependencies['@angular/cli'] = '^20.3.3';
          devDependencies.postcss = 'catalog:';
        }
      }
      if (group === 'libs' && rand() < 0.2) manifest.publishConfig = { directory: 'dist' };
      if (group === 'packages' && rand() < 0.05) manifest.optionalDependencies = { esbuild: 'catalog:' };
      Object.assign(manifest, { dependencies, devDependencies });
      manifests[dir] = manifest;
      made.push({ group, name });
    }
  }
  return manifests;
}

function packagesInLockfile(dir) {
  const lockfile = readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8');
  const section = lockfile.slice(lockfile.indexOf('\npackages:\n'), lockfile.indexOf('\nsnapshots:\n'));
  return section.split('\n').filter((line) => /^ {2}\S/.test(line)).length;
}

const quote = (key) => (/^[\w-]+$/.test(key) ? key : `'${key}'`);
const yamlMap = (entries, indent) =>
  Object.entries(entries)
    .map(([key, value]) => `${' '.repeat(indent)}${quote(key)}: '${value}'`)
    .join('\n');

/** Writes the workspace's files (manifests, pnpm-workspace.yaml) for the given pnpm. */
export function writeWideWorkspace(dir, pnpmVersion) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'wide',
        private: true,
        packageManager: `pnpm@${pnpmVersion}`,
        devDependencies: { typescript: 'catalog:', eslint: 'catalog:', '@types/node': 'catalog:' },
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(dir, 'pnpm-workspace.yaml'),
    [
      'packages:',
      ...Object.keys(GROUPS).map((group) => `  - ${group}/*`),
      'catalog:',
      yamlMap(CATALOG, 2),
      'catalogs:',
      ...Object.entries(CATALOGS).flatMap(([name, entries]) => [`  ${name}:`, yamlMap(entries, 4)]),
      'overrides:',
      yamlMap(OVERRIDES, 2),
      '',
    ].join('\n'),
  );
  for (const [project, manifest] of Object.entries(wideManifests())) {
    mkdirSync(join(dir, project), { recursive: true });
    writeFileSync(join(dir, project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

/** Makes the workspace (first call only) and returns its folder and package count. */
export function ensureWideWorkspace() {
  const marker = join(WIDE_WORKSPACE, '.made');
  if (!existsSync(marker)) {
    rmSync(WIDE_WORKSPACE, { recursive: true, force: true });
    writeWideWorkspace(WIDE_WORKSPACE, WIDE_PNPM);
    console.error('bench: making the wide workspace (once; a few minutes)…');
    sh('pnpm', ['install', '--ignore-scripts', '--reporter=silent'], {
      cwd: WIDE_WORKSPACE,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    sh('git', ['init', '-q'], { cwd: WIDE_WORKSPACE });
    writeFileSync(marker, new Date().toISOString());
  }
  return { dir: WIDE_WORKSPACE, packages: packagesInLockfile(WIDE_WORKSPACE) };
}
