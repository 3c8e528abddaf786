import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, gitInit, tempDir, writeFiles } from '@devkit/test-utils';

/** A small committed pnpm repo: package.json, a devkit.json (as given), git. */
export function smallRepo(devkitJson: string | object = { environments: { staging: {} } }): string {
  const dir = tempDir('devkit-output-');
  writeFiles(dir, { 'package.json': { name: 'acme', private: true } });
  writeFileSync(
    join(dir, 'devkit.json'),
    typeof devkitJson === 'string' ? devkitJson : `${JSON.stringify(devkitJson, null, 2)}\n`,
  );
  gitInit(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  return dir;
}

/** Whether text holds an ANSI colour or style sequence (SGR), e.g. `\x1b[32m`. */
export function hasAnsi(text: string): boolean {
  return /\x1b\[[0-9;]*m/.test(text);
}
