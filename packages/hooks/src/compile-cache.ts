import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { writeFileAtomic } from '@devkit/core';

/**
 * A V8 code cache for the CommonJS modules the hook loads from node_modules (ESLint, its
 * plugins, typescript-eslint, TypeScript). Compiling them is a third of ESLint's start-up
 * (TypeScript alone is 9 MB of JavaScript) and the ESLint CLI pays it on every commit; with the
 * cache it is paid once per install. Node 22 has `module.enableCompileCache()`; Node 20, which
 * devkit supports, does not, hence this small version of the same idea.
 *
 * Safety: only files under node_modules, each entry checked against the file's size and mtime
 * (and by V8 itself against its version and flags); a module that may call `import()` is left to
 * Node, because V8 drops the dynamic-import callback of a script made from cached data.
 */

interface CompiledModule {
  exports: unknown;
  require(id: string): unknown;
}

interface ModuleInternals {
  prototype: { _compile(this: CompiledModule, content: string, filename: string): unknown };
  _resolveFilename(request: string, parent: CompiledModule, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: CompiledModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
  wrap(source: string): string;
}

/** [offset, length, file size, file mtimeMs] of one module's code cache in the blob. */
type Entry = [number, number, number, number];

export interface CompileCache {
  /** Writes the cache when modules were compiled without it (first run, or after an upgrade). */
  save(): Promise<void>;
  /** Modules compiled from the cache, and without it, so far. */
  stats(): { hits: number; misses: number };
}

/**
 * Whether a module's source may call `import()` at run time. Conservative: an occurrence counts
 * unless it is plainly inside a string on its line (the TypeScript compiler's messages mention
 * `import(` many times without calling it).
 */
export function mayImportDynamically(source: string): boolean {
  let from = 0;
  for (;;) {
    const at = source.indexOf('import(', from);
    if (at < 0) return false;
    from = at + 7;
    const prev = source[at - 1];
    // `foo.import(`, `reimport(`, or a string/template starting right there.
    if (prev !== undefined && /[\w$.'"`]/.test(prev)) continue;
    const before = source.slice(source.lastIndexOf('\n', at) + 1, at).replace(/\\./g, '');
    const double = before.split('"').length - 1;
    const single = before.split("'").length - 1;
    if (!before.includes('`') && (double % 2 === 1 || single % 2 === 1)) continue;
    return true;
  }
}

let active: CompileCache | undefined;

/**
 * Installs the cache for this process (once). `dir` is where it lives, e.g.
 * `<repo>/node_modules/.cache/devkit`; a cache that cannot be read is simply rebuilt.
 */
export function enableCompileCache(dir: string): CompileCache {
  if (active) return active;
  const ModuleClass = Module as unknown as ModuleInternals;
  // One file: a 4-byte length, the JSON index, then the code caches; written in one atomic
  // rename, so index and data always belong together.
  const file = join(dir, `compile-${process.versions.v8}-${process.arch}.bin`);
  let index: Record<string, Entry> = {};
  let blob: Buffer = Buffer.alloc(0);
  try {
    const raw = readFileSync(file);
    const length = raw.readUInt32LE(0);
    index = JSON.parse(raw.subarray(4, 4 + length).toString('utf8')) as Record<string, Entry>;
    blob = raw.subarray(4 + length);
  } catch {
    index = {};
  }
  const scripts = new Map<string, { script: Script; size: number; mtimeMs: number }>();
  let stale = false;
  let hits = 0;
  let misses = 0;
  const compile = ModuleClass.prototype._compile;

  ModuleClass.prototype._compile = function (this: CompiledModule, content: string, filename: string): unknown {
    return compileCached(this, content, filename);
  };

  function compileCached(mod: CompiledModule, content: string, filename: string): unknown {
    if (!filename.includes(`${'/'}node_modules${'/'}`) || mayImportDynamically(content))
      return compile.call(mod, content, filename);
    let size: number;
    let mtimeMs: number;
    try {
      ({ size, mtimeMs } = statSync(filename));
    } catch {
      return compile.call(mod, content, filename);
    }
    const entry = index[filename];
    const cachedData =
      entry && entry[2] === size && entry[3] === mtimeMs && entry[0] + entry[1] <= blob.length
        ? blob.subarray(entry[0], entry[0] + entry[1])
        : undefined;
    // Node strips a hashbang before compiling; a comment keeps line numbers the same.
    const source = content.startsWith('#!') ? `//${content}` : content;
    const script = new Script(ModuleClass.wrap(source), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) {
      stale = true;
      misses++;
    } else hits++;
    scripts.set(filename, { script, size, mtimeMs });
    // The `require` Node would pass, made from the same public pieces.
    const require = Object.assign((id: string) => mod.require(id), {
      resolve: Object.assign(
        (request: string, options?: unknown) => ModuleClass._resolveFilename(request, mod, false, options),
        {
          paths: (request: string) => ModuleClass._resolveLookupPaths(request, mod),
        },
      ),
      main: process.mainModule,
      extensions: ModuleClass._extensions,
      cache: ModuleClass._cache,
    });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(mod.exports, mod.exports, require, mod, filename, dirname(filename));
  }

  active = {
    stats: () => ({ hits, misses }),
    async save() {
      if (!stale) return;
      stale = false;
      // Made after the run, so the cache also holds the functions that actually ran.
      const parts: Buffer[] = [];
      const next: Record<string, Entry> = {};
      let offset = 0;
      const add = (filename: string, data: Buffer, size: number, mtimeMs: number) => {
        next[filename] = [offset, data.length, size, mtimeMs];
        parts.push(data);
        offset += data.length;
      };
      for (const [filename, { script, size, mtimeMs }] of scripts)
        add(filename, script.createCachedData(), size, mtimeMs);
      // Keep what other runs cached (another config, another file type) while the file is
      // unchanged; entries of removed or upgraded packages go.
      for (const [filename, [start, length, size, mtimeMs]] of Object.entries(index)) {
        if (next[filename] || start + length > blob.length) continue;
        try {
          const now = statSync(filename);
          if (now.size === size && now.mtimeMs === mtimeMs)
            add(filename, blob.subarray(start, start + length), size, mtimeMs);
        } catch {
          // gone
        }
      }
      const json = Buffer.from(JSON.stringify(next));
      const header = Buffer.alloc(4);
      header.writeUInt32LE(json.length, 0);
      try {
        mkdirSync(dir, { recursive: true });
        await writeFileAtomic(file, Buffer.concat([header, json, ...parts]));
      } catch {
        // A cache that cannot be written (read-only node_modules) only costs speed.
      }
    },
  };
  return active;
}
