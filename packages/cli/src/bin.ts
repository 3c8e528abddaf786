#!/usr/bin/env node
import { main } from './main.js';

// Exit through process.exitCode, not process.exit(): pending stdout writes to a pipe must drain.
main(process.argv.slice(2)).then(
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
