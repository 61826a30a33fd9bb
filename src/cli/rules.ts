// `codex-otel-metrics rules`: Prometheus recording and alerting rules for the committed registry.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_NAMING, NAMING_MODES } from '../dashboard/naming.js';
import { namingOption } from './naming-option.js';
import type { CliCommand } from './usage.js';
import { METRICS } from '../generated/catalog.js';
import { DEFAULT_RULES_CONFIG, RulesConfigError, parseRulesSettings } from '../rules/config.js';
import { buildRules, renderAlertRules, renderAllRules, renderRecordingRules } from '../rules/render.js';
import { RECORDING_FILE, ALERTS_FILE } from './paths.js';

/** Bound on --set options: more than there are settings is a mistake. */
const MAX_SETTINGS = 64;

export const RULES_USAGE = `usage: codex-otel-metrics rules [--out DIR] [--naming ${NAMING_MODES.join('|')}] [--set KEY=VALUE]...
  --naming  how metrics reach Prometheus (default ${DEFAULT_NAMING}); must match the dashboard's
  --out     write DIR/${RECORDING_FILE} and DIR/${ALERTS_FILE}; without it one file with both groups goes to stdout
  --set     override a threshold (repeatable); defaults and meaning in docs/alerts.md:
${Object.entries(DEFAULT_RULES_CONFIG)
  .map(([k, v]) => `              ${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
  .join('\n')}
`;

export async function rulesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      naming: { type: 'string' },
      set: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(RULES_USAGE);
    return 0;
  }
  const naming = namingOption(values.naming, RULES_USAGE);
  if (!naming) return 2;
  const settings = values.set ?? [];
  if (settings.length > MAX_SETTINGS) {
    process.stderr.write(`too many --set options (${settings.length}; at most ${MAX_SETTINGS})\n`);
    return 2;
  }
  let options;
  try {
    options = { naming, config: parseRulesSettings(settings) };
    buildRules(METRICS, options); // validates the thresholds against the registry
  } catch (err) {
    if (!(err instanceof RulesConfigError)) throw err;
    process.stderr.write(`codex-otel-metrics rules: ${err.message} [${err.code}]\n`);
    return 2;
  }
  if (!values.out) {
    process.stdout.write(renderAllRules(METRICS, options));
    return 0;
  }
  mkdirSync(values.out, { recursive: true });
  const set = buildRules(METRICS, options);
  for (const [file, text] of [
    [RECORDING_FILE, renderRecordingRules(METRICS, options)],
    [ALERTS_FILE, renderAlertRules(METRICS, options)],
  ] as const) {
    const path = join(values.out, file);
    writeFileSync(path, text);
    process.stderr.write(`wrote ${relative(process.cwd(), path) || path}\n`);
  }
  process.stderr.write(`${set.recording.length} recording rules, ${set.alerts.length} alerts (${naming} naming)\n`);
  return 0;
}

export const RULES: CliCommand = { run: rulesCommand, usage: RULES_USAGE };
