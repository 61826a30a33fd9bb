// Command dispatcher. Each command is loaded lazily so `list` never loads the SDK or exporters.
// Every command: `--help`/`-h` prints its usage and exits 0; an unknown option or a bad value
// exits 2 with the usage on stderr; a failure it reports exits 1.
import { CatalogError } from '../catalog/errors.js';
import { isUsageError, wantsHelp } from './usage.js';

type Command = (argv: string[]) => Promise<number>;

interface LoadedCommand {
  readonly run: Command;
  /** Printed by main for --help and usage errors; commands without one handle both themselves. */
  readonly usage?: string;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<LoadedCommand> }> = {
  generate: {
    summary: 'write src/generated/, dashboards/ and rules/ from docs/metrics.md + docs/attributes.md',
    load: async () => {
      const m = await import('./catalog-commands.js');
      return { run: m.generateCommand, usage: m.GENERATE_USAGE };
    },
  },
  check: {
    summary: 'exit 1 when the generated files are out of date with the docs',
    load: async () => {
      const m = await import('./catalog-commands.js');
      return { run: m.checkCommand, usage: m.CHECK_USAGE };
    },
  },
  list: {
    summary: 'print the registry (--json, --docs FILE)',
    load: async () => {
      const m = await import('./catalog-commands.js');
      return { run: m.listCommand, usage: m.LIST_USAGE };
    },
  },
  demo: {
    summary: 'run a simulated agent session that exports every catalog metric over OTLP/HTTP',
    load: async () => {
      const m = await import('./demo.js');
      return { run: m.demoCommand, usage: m.DEMO_USAGE };
    },
  },
  dashboard: {
    summary: 'print the Grafana dashboard JSON (--out FILE, --datasource UID, --naming collector|plain)',
    load: async () => {
      const m = await import('./dashboard.js');
      return { run: m.dashboardCommand, usage: m.DASHBOARD_USAGE };
    },
  },
  rules: {
    summary: 'print or write Prometheus recording and alerting rules (--out DIR, --naming collector|plain, --set KEY=VALUE)',
    load: async () => {
      const m = await import('./rules.js');
      return { run: m.rulesCommand, usage: m.RULES_USAGE };
    },
  },
  verify: {
    summary: 'receive OTLP/HTTP metrics and check them against the catalog (--listen, --duration, --json)',
    // Handles --help and usage errors itself.
    load: async () => ({ run: (await import('./verify.js')).verifyCommand }),
  },
  registry: {
    summary: 'export the catalog for OpenTelemetry tooling (--format semconv [--out FILE])',
    load: async () => {
      const m = await import('./registry.js');
      return { run: m.registryCommand, usage: m.REGISTRY_USAGE };
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'usage: codex-otel-metrics <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
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
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n${usage()}`);
    return 2;
  }
  let loaded: LoadedCommand | undefined;
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
