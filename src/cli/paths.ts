import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Root of the package (a clone or an installed copy), where docs/ and src/ live: the nearest
 * directory above this module with this package's package.json. Found by walking up, because the
 * build bundles this module into a chunk whose depth under dist/ is not fixed.
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const DEFAULT_METRICS_DOC = join(PACKAGE_ROOT, 'docs', 'metrics.md');
export const DEFAULT_ATTRIBUTES_DOC = join(PACKAGE_ROOT, 'docs', 'attributes.md');
export const DEFAULT_REGISTRY_OUT = join(PACKAGE_ROOT, 'src', 'generated', 'catalog.ts');
export const DEFAULT_NAMES_OUT = join(PACKAGE_ROOT, 'src', 'generated', 'metric-names.ts');
export const DEFAULT_DASHBOARD_OUT = join(PACKAGE_ROOT, 'dashboards', 'codex-metrics.json');
/** Committed Prometheus rules: one directory per naming mode, same file names in each. */
export const RULES_DIR = join(PACKAGE_ROOT, 'rules');
export const RECORDING_FILE = 'codex-recording.yaml';
export const ALERTS_FILE = 'codex-alerts.yaml';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isThisPackage(manifest)) return join(dir, '/');
    if (dirname(dir) === dir) return join(start, '..', '..', '/'); // not found: the unbundled layout (src/cli/, dist/cli/)
  }
}

function isThisPackage(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'codex-otel-metrics';
  } catch {
    return false;
  }
}
