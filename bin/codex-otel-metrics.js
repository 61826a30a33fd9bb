#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/.
import { main } from '../dist/cli/main.js';

// `codex-otel-metrics list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') process.stderr.write(`codex-otel-metrics: cannot write output: ${err.message}\n`);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`codex-otel-metrics: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
