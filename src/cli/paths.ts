import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Root of the installed package (dist/cli/ -> ../../), where docs/ and src/ live. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_METRICS_DOC = join(PACKAGE_ROOT, 'docs', 'metrics.md');
export const DEFAULT_ATTRIBUTES_DOC = join(PACKAGE_ROOT, 'docs', 'attributes.md');
export const DEFAULT_REGISTRY_OUT = join(PACKAGE_ROOT, 'src', 'generated', 'catalog.ts');
export const DEFAULT_NAMES_OUT = join(PACKAGE_ROOT, 'src', 'generated', 'metric-names.ts');
export const DEFAULT_DASHBOARD_OUT = join(PACKAGE_ROOT, 'dashboards', 'codex-metrics.json');
/** Committed Prometheus rules: one directory per naming mode, same file names in each. */
export const RULES_DIR = join(PACKAGE_ROOT, 'rules');
export const RECORDING_FILE = 'codex-recording.yaml';
export const ALERTS_FILE = 'codex-alerts.yaml';
