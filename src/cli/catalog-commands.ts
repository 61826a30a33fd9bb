// generate / check / list: the catalog side of the CLI.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalogFiles, type Catalog } from '../catalog/build.js';
import { diffCatalogs, renderCatalogDiff } from '../catalog/diff.js';
import type { MetricSpec } from '../catalog/spec.js';
import { METRICS } from '../generated/catalog.js';
import { generatedOutputs } from './outputs.js';
import { DEFAULT_ATTRIBUTES_DOC, DEFAULT_METRICS_DOC, PACKAGE_ROOT } from './paths.js';
import type { CliCommand } from './usage.js';

const DOC_USAGE = `  --docs FILE        metric tables (default: the package's docs/metrics.md); a page in the upstream
                     four-column format (Metric, Type, Fields, Description) is read too, its units,
                     buckets and tags inferred, and how it differs from docs/metrics.md is printed
                     on stderr
  --attributes FILE  attribute value sets (default: the package's docs/attributes.md)
`;

export const GENERATE_USAGE = `usage: codex-otel-metrics generate [--docs FILE] [--attributes FILE] [--out FILE]

Parses the docs and writes the package's src/generated/catalog.ts and dashboards/codex-metrics.json
(in a clone of the repository). With --out, writes only the registry module, to FILE.

${DOC_USAGE}  --out FILE         write the registry module to FILE instead
`;

export const CHECK_USAGE = `usage: codex-otel-metrics check [--docs FILE] [--attributes FILE]

Exits 1 when the generated files are out of date with the docs (and says what changed).

${DOC_USAGE}`;

export const LIST_USAGE = `usage: codex-otel-metrics list [--json] [--docs FILE] [--attributes FILE]

Prints the metric registry: name, kind, unit, fields (optional ones end with ?).

  --json             one JSON array instead of the table
${DOC_USAGE}`;

const DOC_OPTIONS = {
  docs: { type: 'string' },
  attributes: { type: 'string' },
} as const;

function load(values: { docs?: string; attributes?: string }): Catalog {
  const attributes = values.attributes ?? DEFAULT_ATTRIBUTES_DOC;
  if (values.docs === undefined) return loadCatalogFiles(DEFAULT_METRICS_DOC, attributes);
  // An upstream page has no bucket table: its histograms name the families of the package's docs.
  const docs = loadCatalogFiles(DEFAULT_METRICS_DOC, DEFAULT_ATTRIBUTES_DOC);
  const catalog = loadCatalogFiles(values.docs, attributes, docs.buckets);
  if (catalog.format === 'upstream') {
    const lines = renderCatalogDiff(diffCatalogs(docs, catalog), catalog, values.docs, relative(process.cwd(), DEFAULT_METRICS_DOC) || DEFAULT_METRICS_DOC);
    process.stderr.write(`${lines.join('\n')}\n`);
  }
  return catalog;
}

export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...DOC_OPTIONS, out: { type: 'string' } }, strict: true });
  const installed = installedUnder(PACKAGE_ROOT);
  if (values.out === undefined && installed) {
    // An installed copy: its generated files belong to the package (and are replaced on every install).
    process.stderr.write(
      `generate: this copy of codex-otel-metrics is installed under ${installed}; it does not rewrite files inside node_modules.\n` +
        'Write the registry module of your own docs elsewhere with --out, e.g.\n' +
        '  codex-otel-metrics generate --docs docs/metrics.md --attributes docs/attributes.md --out src/codex-catalog.ts\n' +
        'or run generate in a clone of the codex-otel-metrics repository.\n',
    );
    return 1;
  }
  const catalog = load(values);
  if (catalog.format === 'upstream' && values.out === undefined) {
    // The committed registry, dashboards and rules follow docs/metrics.md, never an upstream page.
    process.stderr.write(`generate: ${values.docs} is in the upstream format; write its registry elsewhere with --out FILE (the package's generated files come from docs/metrics.md)\n`);
    return 1;
  }
  for (const output of generatedOutputs(values.out)) {
    mkdirSync(dirname(output.path), { recursive: true });
    writeFileSync(output.path, await output.render(catalog));
    process.stdout.write(`wrote ${relative(process.cwd(), output.path) || output.path} (${output.label}, ${catalog.metrics.length} metrics)\n`);
  }
  return 0;
}

export async function checkCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: DOC_OPTIONS, strict: true });
  const catalog = load(values);
  let stale = 0;
  for (const output of generatedOutputs()) {
    const expected = await output.render(catalog);
    let actual = '';
    try {
      actual = readFileSync(output.path, 'utf8');
    } catch {
      // A missing file is reported as stale below.
    }
    if (actual === expected) continue;
    stale++;
    const where = relative(PACKAGE_ROOT, output.path);
    process.stderr.write(`${where} is out of date with the docs: ${firstDifference(actual, expected)}\n`);
  }
  if (stale === 0) {
    process.stdout.write(`ok: generated files match the docs (${catalog.metrics.length} metrics)\n`);
    return 0;
  }
  for (const line of describeDrift(METRICS, catalog.metrics)) process.stderr.write(`  ${line}\n`);
  process.stderr.write('run `npm run generate` and commit the result\n');
  return 1;
}

export async function listCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...DOC_OPTIONS, json: { type: 'boolean' } }, strict: true });
  const metrics = values.docs || values.attributes ? load(values).metrics : METRICS;
  if (values.json) {
    const rows = metrics.map((m) => ({
      name: m.name,
      kind: m.kind,
      unit: m.unit,
      section: m.section,
      description: m.description,
      fields: { required: [...m.required], optional: [...m.optional] },
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...metrics.map((m) => m.name.length));
  for (const m of metrics) {
    const fields = [...m.required, ...m.optional.map((f) => `${f}?`)].join(', ');
    process.stdout.write(`${m.name.padEnd(width)}  ${m.kind.padEnd(9)}  ${m.unit.padEnd(7)}  ${fields}\n`);
  }
  process.stdout.write(`${metrics.length} metrics\n`);
  return 0;
}

/** The node_modules directory that contains `root`, if any. */
function installedUnder(root: string): string | undefined {
  const parts = root.split(sep);
  const i = parts.lastIndexOf('node_modules');
  return i === -1 ? undefined : parts.slice(0, i + 1).join(sep);
}

function firstDifference(actual: string, expected: string): string {
  if (actual === '') return 'file is missing or empty';
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `line ${i + 1} differs (has ${JSON.stringify(a[i] ?? '<end>')}, docs give ${JSON.stringify(e[i] ?? '<end>')})`;
  }
  return 'content differs';
}

/** Metric-level summary of what changed between the committed registry and the docs. */
export function describeDrift(committed: readonly MetricSpec[], fresh: readonly MetricSpec[]): string[] {
  const before = new Map(committed.map((m) => [m.name, m]));
  const after = new Map(fresh.map((m) => [m.name, m]));
  const lines: string[] = [];
  for (const name of after.keys()) if (!before.has(name)) lines.push(`added in docs: ${name}`);
  for (const name of before.keys()) if (!after.has(name)) lines.push(`removed from docs: ${name}`);
  for (const [name, m] of after) {
    const old = before.get(name);
    if (old && JSON.stringify(old) !== JSON.stringify(m)) lines.push(`changed in docs: ${name}`);
  }
  return lines;
}

export const GENERATE: CliCommand = { run: generateCommand, usage: GENERATE_USAGE };
export const CHECK: CliCommand = { run: checkCommand, usage: CHECK_USAGE };
export const LIST: CliCommand = { run: listCommand, usage: LIST_USAGE };
