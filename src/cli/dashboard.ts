// `codex-otel-metrics dashboard`: print or write the Grafana dashboard for the committed registry.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ATTRIBUTION_LABEL, isAttributionLabel } from '../dashboard/attribution.js';
import { renderDashboardJson } from '../dashboard/dashboard.js';
import { DEFAULT_NAMING, NAMING_MODES } from '../dashboard/naming.js';
import { namingOption } from './naming-option.js';
import { METRICS } from '../generated/catalog.js';
import type { CliCommand } from './usage.js';

export const DASHBOARD_USAGE = `usage: codex-otel-metrics dashboard [--out FILE] [--datasource UID] [--naming ${NAMING_MODES.join('|')}] [--attribution LABEL|none]
  --naming      how metrics reach Prometheus (default ${DEFAULT_NAMING}):
                  collector  OpenTelemetry Collector / Prometheus 3 OTLP defaults (unit suffixes, e.g. _milliseconds)
                  plain      scraping @opentelemetry/exporter-prometheus directly (no unit suffixes)
  --datasource  preselect this Prometheus datasource UID
  --attribution target_info label of the Attribution row and variable (default ${DEFAULT_ATTRIBUTION_LABEL}; one of the
                rules' attributionLabels), or none
  --out         write to FILE instead of stdout
`;

export async function dashboardCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      datasource: { type: 'string' },
      naming: { type: 'string' },
      attribution: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(DASHBOARD_USAGE);
    return 0;
  }
  const naming = namingOption(values.naming, DASHBOARD_USAGE);
  if (!naming) return 2;
  const attribution = values.attribution ?? DEFAULT_ATTRIBUTION_LABEL;
  if (attribution !== 'none' && !isAttributionLabel(attribution)) {
    process.stderr.write(`codex-otel-metrics dashboard: --attribution must be a label name ([A-Za-z_][A-Za-z0-9_]*, not job, instance or le) or none\n${DASHBOARD_USAGE}`);
    return 2;
  }
  const json = renderDashboardJson(METRICS, { naming, datasourceUid: values.datasource, attributionLabel: attribution === 'none' ? null : attribution });
  if (!values.out) {
    process.stdout.write(json);
    return 0;
  }
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, json);
  process.stderr.write(`wrote ${relative(process.cwd(), values.out) || values.out} (${METRICS.length} metrics, ${naming} naming)\n`);
  return 0;
}

export const DASHBOARD: CliCommand = { run: dashboardCommand, usage: DASHBOARD_USAGE };
