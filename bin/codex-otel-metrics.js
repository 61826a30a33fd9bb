#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/.

// `codex-otel-metrics list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') process.stderr.write(`codex-otel-metrics: cannot write output: ${err.message}\n`);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
});

let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  // A git checkout has no dist/ until it is built (a packed or installed copy always has it).
  const missing = err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist');
  process.stderr.write(missing ? 'codex-otel-metrics: dist/ is not built; run `npm run build` in the package first\n' : `codex-otel-metrics: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`codex-otel-metrics: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
