import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, REPO_ROOT, tempDir, writeFiles } from '@devkit/test-utils';

afterAll(cleanupTempDirs);

/**
 * The relative imports of every TypeScript file under `dir` — static, `import type`,
 * re-exports and dynamic `import()`, as TypeScript's own pre-parser finds them (a few ms per
 * package, no type checking) — resolved to files.
 */
function importGraph(dir: string): Map<string, string[]> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.[cm]?tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolveSource(resolve(dirname(file), name)))
      .filter((target): target is string => target !== undefined);
    graph.set(file, targets);
  }
  return graph;
}

/** `./x.js` is written for `./x.ts` (NodeNext); a folder means its index. */
function resolveSource(path: string): string | undefined {
  const base = path.replace(/\.([cm]?)js$/, '.$1ts');
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return undefined;
}

/** Every import cycle, each as the files around it (Tarjan's strongly connected components). */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

const packages = readdirSync(join(REPO_ROOT, 'packages')).filter((d) =>
  existsSync(join(REPO_ROOT, 'packages', d, 'src')),
);

describe('imports inside a package', () => {
  it.each(packages)('form no cycle in packages/%s/src', (name) => {
    const cycles = importCycles(importGraph(join(REPO_ROOT, 'packages', name, 'src')));
    expect(cycles.map((files) => files.map((f) => relative(REPO_ROOT, f)).join(' ↔ '))).toEqual([]);
  });

  it("finds a cycle through a type-only import and a re-export, and one through a folder's index; a dynamic import in a chain is none", () => {
    const dir = tempDir();
    writeFiles(dir, {
      'src/apply.ts': "import type { FileUpdate } from './run-tasks.js';\nexport const apply = (u: FileUpdate) => u;\n",
      'src/run-tasks.ts': "export { apply } from './apply.js';\nexport interface FileUpdate { file: string }\n",
      'src/index.ts': "export const load = () => import('./apply.js');\n",
      'src/lone.ts': "import { x } from './lib';\nexport const y = x;\n",
      'src/lib/index.ts': "import { y } from '../lone.js';\nexport const x = 1;\nexport const z = y;\n",
    });
    const cycles = importCycles(importGraph(join(dir, 'src')));
    expect(cycles.map((files) => files.map((f) => relative(dir, f))).sort()).toEqual([
      ['src/apply.ts', 'src/run-tasks.ts'],
      ['src/lib/index.ts', 'src/lone.ts'],
    ]);
  });
});
