// Every file `generate` writes and `check` compares, rendered from one parsed catalog.
import type { Catalog } from '../catalog/build.js';
import { renderCatalogModule, renderMetricNamesModule } from '../catalog/generate.js';
import { join } from 'node:path';
import { NAMING_MODES } from '../dashboard/naming.js';
import { ALERTS_FILE, DEFAULT_DASHBOARD_OUT, DEFAULT_NAMES_OUT, DEFAULT_REGISTRY_OUT, RECORDING_FILE, RULES_DIR } from './paths.js';

export interface GeneratedOutput {
  readonly label: string;
  readonly path: string;
  render(catalog: Catalog): string | Promise<string>;
}

/** With `registryOut` (generate --out) only the registry is written, there; else every committed output. */
export function generatedOutputs(registryOut?: string): GeneratedOutput[] {
  if (registryOut !== undefined) return [{ label: 'registry', path: registryOut, render: renderCatalogModule }];
  return [
    { label: 'registry', path: DEFAULT_REGISTRY_OUT, render: renderCatalogModule },
    { label: 'metric names', path: DEFAULT_NAMES_OUT, render: renderMetricNamesModule },
    // Loaded on demand so `list` never pulls in the Grafana SDK.
    { label: 'dashboard', path: DEFAULT_DASHBOARD_OUT, render: async (c) => (await import('../dashboard/dashboard.js')).renderDashboardJson(c.metrics) },
    // Prometheus rules with the default thresholds, per naming mode (loaded on demand like the dashboard).
    ...NAMING_MODES.flatMap((naming): GeneratedOutput[] => [
      {
        label: `${naming} recording rules`,
        path: join(RULES_DIR, naming, RECORDING_FILE),
        render: async (c) => (await import('../rules/render.js')).renderRecordingRules(c.metrics, { naming }),
      },
      {
        label: `${naming} alerting rules`,
        path: join(RULES_DIR, naming, ALERTS_FILE),
        render: async (c) => (await import('../rules/render.js')).renderAlertRules(c.metrics, { naming }),
      },
    ]),
  ];
}
