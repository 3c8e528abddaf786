#!/usr/bin/env node
import module from 'node:module';

// Node 22.1 and later keep compiled code on disk between runs (a few ms per start, which the
// commit hook and `devkit exec` pay every time); older Node has no such API.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const argv = process.argv.slice(2);

async function run(): Promise<number> {
  // `devkit exec` starts its command before the command tree loads, when the checkout's
  // toolchain is already resolved; everything else (and exec otherwise) goes through main.
  if (argv[0] === 'exec') {
    const { execFast } = await import('./exec-fast.js');
    const code = await execFast(argv, process.env);
    if (code !== undefined) return code;
  }
  const { main } = await import('./main.js');
  return main(argv);
}

// Exit through process.exitCode, not process.exit(): pending stdout writes to a pipe must drain.
run().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
