// Runs esbuild through its JavaScript API (its bin may be a native binary or a Node shim, depending
// on whether npm ran its postinstall): node bundle-esbuild.mjs ENTRY FORMAT OUTFILE. Warnings go
// to stderr as esbuild prints them; a failed build exits 1.
import { build } from 'esbuild';

const [entry, format, outfile] = process.argv.slice(2);
// esbuild's documented shim: CommonJS dependencies (the OpenTelemetry 2.x packages) require() Node
// built-ins, which an ESM bundle has no `require` for.
const banner = format === 'esm' ? { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" } : undefined;
try {
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format, outfile, banner, logLevel: 'warning' });
} catch {
  process.exit(1); // esbuild printed the errors
}
