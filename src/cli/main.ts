// Command dispatcher. Each command is loaded lazily so `list` never loads the SDK or exporters.
// Every command: `--help`/`-h` prints its usage and exits 0; an unknown option or a bad value
// exits 2 with the usage on stderr; a failure it reports exits 1.
import { CatalogError } from '../catalog/errors.js';
import { PACKAGE_VERSION } from '../version.js';
import { isUsageError, wantsHelp, type CliCommand } from './usage.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  generate: {
    summary: 'write src/generated/, dashboards/ and rules/ from docs/metrics.md + docs/attributes.md',
    load: async () => (await import('./catalog-commands.js')).GENERATE,
  },
  check: { summary: 'exit 1 when the generated files are out of date with the docs', load: async () => (await import('./catalog-commands.js')).CHECK },
  list: { summary: 'print the registry (--json, --docs FILE)', load: async () => (await import('./catalog-commands.js')).LIST },
  demo: { summary: 'run a simulated agent session that exports every catalog metric over OTLP/HTTP', load: async () => (await import('./demo.js')).DEMO },
  dashboard: {
    summary: 'print the Grafana dashboard JSON (--out FILE, --datasource UID, --naming collector|plain)',
    load: async () => (await import('./dashboard.js')).DASHBOARD,
  },
  rules: {
    summary: 'print or write Prometheus recording and alerting rules (--out DIR, --naming collector|plain, --set KEY=VALUE)',
    load: async () => (await import('./rules.js')).RULES,
  },
  verify: {
    summary: 'check OTLP metrics against the catalog, received live or from saved exports, with coverage gates (--listen, --file, --require, --json)',
    // Handles --help and usage errors itself.
    load: async () => ({ run: (await import('./verify.js')).verifyCommand }),
  },
  registry: { summary: 'export the catalog for OpenTelemetry tooling (--format semconv [--out FILE])', load: async () => (await import('./registry.js')).REGISTRY },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'usage: codex-otel-metrics <command> [options]',
    '       codex-otel-metrics --version',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command answers --help.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    // Asked for help: stdout, success. No command at all: a usage error on stderr.
    (name ? process.stdout : process.stderr).write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n${usage()}`);
    return 2;
  }
  let loaded: CliCommand | undefined;
  try {
    loaded = await command.load();
    if (loaded.usage !== undefined && wantsHelp(rest)) {
      process.stdout.write(loaded.usage);
      return 0;
    }
    return await loaded.run(rest);
  } catch (err) {
    if (isUsageError(err)) {
      process.stderr.write(`codex-otel-metrics ${name}: ${err.message}\n${loaded?.usage ?? ''}`);
      return 2;
    }
    // Errors a user can act on are one line, never a stack trace.
    if (err instanceof CatalogError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`codex-otel-metrics ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
