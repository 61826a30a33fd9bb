// Every file `generate` writes and `check` compares, rendered from one parsed catalog.
import type { Catalog } from '../catalog/build.js';
import { renderCatalogModule, renderMetricNamesModule } from '../catalog/generate.js';
import { DEFAULT_DASHBOARD_OUT, DEFAULT_NAMES_OUT, DEFAULT_REGISTRY_OUT } from './paths.js';

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
  ];
}
