#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`codex-otel-metrics: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
