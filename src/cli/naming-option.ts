// The `--naming` option shared by `dashboard` and `rules`: both must be generated for the same pipeline.
import { DEFAULT_NAMING, NAMING_MODES, isPrometheusNaming, type PrometheusNaming } from '../dashboard/naming.js';

/** The naming asked for (default when absent), or undefined after a usage error on stderr. */
export function namingOption(value: string | undefined, usage: string): PrometheusNaming | undefined {
  const naming = value ?? DEFAULT_NAMING;
  if (isPrometheusNaming(naming)) return naming;
  process.stderr.write(`unknown --naming "${naming}" (expected ${NAMING_MODES.join(' or ')})\n${usage}`);
  return undefined;
}
