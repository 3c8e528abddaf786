import { runNativeBuilds } from '@devkit/native';
import { loadProject } from '../context.js';
import type { nativeBuildSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { devkitVersion } from './native-shared.js';

/** `devkit native build [--package p,…] [--target t,…]`: builds, verifies and caches native outputs. */
export async function run(input: CommandInput<typeof nativeBuildSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  // Ctrl-C aborts the builds: their containers are removed before devkit ends.
  const results = await io.withInterrupt((signal) =>
    runNativeBuilds({
      signal,
      root: ctx.root,
      config: ctx.config,
      reporter: io.reporter,
      env: input.env,
      devkitVersion: devkitVersion(),
      packages: input.flags.package,
      targets: input.flags.target,
    }),
  );
  const ok = results.every((r) => r.ok);
  return {
    exitCode: ok ? 0 : 1,
    data: { ok, builds: results },
    human: (s) => {
      const lines: string[] = [];
      for (const r of results) {
        const mark = r.ok ? s.green('✓') : s.red('✗');
        lines.push(
          `${mark} ${r.package} ${r.target} ${s.dim(r.cached ? '(cache hit)' : `(built in ${(r.durationMs / 1000).toFixed(1)} s)`)}`,
        );
        for (const o of r.outputs) {
          const floor = Object.entries(o.floor)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          lines.push(`    ${o.path} ${s.dim(floor ? `needs ${floor}` : o.format)}`);
          for (const v of o.violations) lines.push(`    ${s.red('✗')} ${v.message}`);
        }
      }
      return lines;
    },
  };
}
