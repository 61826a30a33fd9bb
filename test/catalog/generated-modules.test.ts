// The generated modules as TypeScript: both compile under `strict` and type the docs as promised,
// and the metric-name constants are unique and equal `codex.` + name.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogFiles, type Catalog } from '../../src/catalog/build.js';
import { renderCatalogModule, renderMetricNamesModule } from '../../src/catalog/generate.js';
import { DEFAULT_PREFIX } from '../../src/catalog/spec.js';
import { formatRange } from '../../src/catalog/versions.js';
import { METRICS } from '../../src/generated/catalog.js';
import * as NAMES from '../../src/generated/metric-names.js';
import {
  ATTRIBUTES_DOC,
  bucketRow,
  build,
  expectError,
  lineContaining,
  metricRow as row,
  metricsDoc,
  metricsDocWith,
  METRICS_DOC,
  miniAttributes,
  miniAttributesWithAliases,
  REPO_ROOT,
  withTempDir,
} from './helpers.js';

/** The constant a wire name should get, written out independently of generate.ts: upper case, dots as `_`. */
const constantOf = (name: string) => `METRIC_${(DEFAULT_PREFIX + name).toUpperCase().replace(/\./g, '_')}`;
const real = loadCatalogFiles(METRICS_DOC, ATTRIBUTES_DOC);
const realNamesText = renderMetricNamesModule(real);

describe('metric-name constants (src/generated/metric-names.ts)', () => {
  const names = NAMES as Record<string, unknown>;

  it('one constant per registry metric, each equal to `codex.` + name, none left over', () => {
    expect(Object.keys(names).sort()).toEqual(METRICS.map((m) => constantOf(m.name)).sort());
    for (const m of METRICS) expect(names[constantOf(m.name)], m.name).toBe(DEFAULT_PREFIX + m.name);
  });

  it('are unique: no two constants share a name or a value', () => {
    const text = realNamesText;
    const declared = [...text.matchAll(/^export const (\w+) = '([^']+)';$/gm)];
    expect(declared).toHaveLength(METRICS.length);
    expect(new Set(declared.map((d) => d[1])).size).toBe(METRICS.length);
    expect(new Set(declared.map((d) => d[2])).size).toBe(METRICS.length);
    // In registry order, so a diff of the file reads like a diff of the docs.
    expect(declared.map((d) => d[2])).toEqual(METRICS.map((m) => DEFAULT_PREFIX + m.name));
  });

  it('each carries a JSDoc with its description, wire name, kind, unit, buckets and Codex tags', () => {
    const text = realNamesText;
    for (const m of METRICS) {
      const at = text.indexOf(`export const ${constantOf(m.name)} =`);
      const doc = text.slice(text.lastIndexOf('/**', at), at);
      expect(doc, m.name).toContain(` * ${m.description.replace(/\*\//g, '*\\/')}`);
      expect(doc, m.name).toContain(`\`${DEFAULT_PREFIX}${m.name}\`: ${m.kind}, unit \`${m.unit}\``);
      expect(doc, m.name).toContain(`Codex tags: ${m.tags}`);
      expect(doc, m.name).toContain(m.versions ? `sent by Codex ${formatRange(m.versions)}` : 'not observed offline');
      if (m.buckets) expect(doc, m.name).toContain(`buckets \`${m.buckets.name}\``);
    }
  });

  it('two metrics that would share a constant (`a.b` and `a_b`) are a docs error at the second row', () => {
    const text = metricsDoc(['Runtime', [row('a.b', 'counter', '', 'Dotted.'), row('a_b', 'counter', '', 'Underscored.')]]);
    expectError(() => build(text, miniAttributes()), 'metrics.md', lineContaining(text, 'Underscored.'), '`a_b` and `a.b`', `(line ${lineContaining(text, 'Dotted.')})`, 'METRIC_CODEX_A_B');
  });
});

/** A small catalog with everything the generator has to quote or type: dotted fields, aliases, ints with spellings, decimals, `*\/`. */
function trickyCatalog(): Catalog {
  const metrics = metricsDocWith(
    {
      buckets: [bucketRow('decimals', '0, 1, 1.0234203467988563, 2..4', '0, 10', 'Decimals as Codex writes them.'), bucketRow('duration', '0, 5, 10')],
      retired: ['| `old.metric` | counter | renamed | `a.b2_c` |'],
    },
    [
      'Tricky */ section',
      [
        row('a.b2_c', 'counter', '`status`, `x.y`', 'A */ description with "double" and \'single\' quotes.'),
        row('h.duration_ms', 'histogram', 'See note', 'Durations.', { tags: 'none', versions: '0.160.0..' }),
        row('h.bytes', 'histogram', '', 'Sizes.', { unit: '`{byte}`', buckets: '`decimals`', tags: 'originator' }),
        row('plain', 'counter', '', 'No fields.'),
      ],
      ['The `h.duration_ms` metric includes `success` and, when known, `code`.'],
    ],
  );
  const attributes = miniAttributesWithAliases(
    ['| `auth_mode` | `api_key` | `api` |', '| `x.y` | `vv` | `v` |'],
    '| `x.y` | string | `v` \\| `w` | | Dotted field. |',
    '| `code` | int | `none` | | A code, or none. |',
  );
  return build(metrics, attributes);
}

/** Uses the tricky modules the way a host would; every `@ts-expect-error` must be needed. */
const USAGE = `import { HISTOGRAM_BUCKETS, METRICS, RETIRED_METRICS, VALUE_ALIASES, type CounterFields, type CounterName, type DefaultTags, type HistogramFields, type HistogramName } from './tricky/generated/catalog.js';
import { METRIC_CODEX_A_B2_C, METRIC_CODEX_H_DURATION_MS } from './tricky/generated/metric-names.js';
import { METRICS as REAL_METRICS } from './real/generated/catalog.js';
import * as realNames from './real/generated/metric-names.js';

export const counter: CounterName = 'a.b2_c';
export const histogram: HistogramName = 'h.bytes';
// @ts-expect-error a histogram is not a counter
export const wrongKind: CounterName = 'h.duration_ms';
export const fields: CounterFields['a.b2_c'] = { status: 'ok', 'x.y': 'w' };
export const alias: CounterFields['a.b2_c'] = { status: 'ok', 'x.y': 'vv' };
// @ts-expect-error a value outside the closed set
export const badValue: CounterFields['a.b2_c'] = { status: 'ok', 'x.y': 'z' };
// @ts-expect-error a required field is missing
export const missing: CounterFields['a.b2_c'] = { status: 'ok' };
export const optional: HistogramFields['h.duration_ms'] = { success: true };
export const spelled: HistogramFields['h.duration_ms'] = { success: false, code: 'none' };
export const numeric: HistogramFields['h.duration_ms'] = { success: false, code: 404 };
// @ts-expect-error an undocumented field
export const extra: HistogramFields['h.duration_ms'] = { success: true, nope: 1 };
// @ts-expect-error a metric without fields takes none
export const none: CounterFields['plain'] = { status: 'ok' };
export const tags: DefaultTags = { auth_mode: 'api_key', model: 'm' };
// @ts-expect-error neither a value nor an alias
export const badTag: DefaultTags = { auth_mode: 'chatgpt' };
export const wire: 'codex.a.b2_c' = METRIC_CODEX_A_B2_C;
export const wire2: 'codex.h.duration_ms' = METRIC_CODEX_H_DURATION_MS;
export const data = [METRICS.length, HISTOGRAM_BUCKETS['decimals'].boundaries[2], RETIRED_METRICS[0].replacement, VALUE_ALIASES['x.y'], REAL_METRICS.length, realNames];
`;

describe('the generated modules compile', () => {
  it('under strict TypeScript, for the real docs and for a tricky catalog, and type fields as documented', () => {
    const tricky = trickyCatalog();
    expect(tricky.metrics.find((m) => m.name === 'h.bytes')?.buckets?.boundaries).toEqual([0, 1, 1.0234203467988563, 2, 3, 4]);
    withTempDir((dir) => {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      };
      for (const [root, catalog] of [['real', real], ['tricky', tricky]] as const) {
        write(`${root}/generated/catalog.ts`, renderCatalogModule(catalog));
        write(`${root}/generated/metric-names.ts`, renderMetricNamesModule(catalog));
        mkdirSync(join(dir, root, 'catalog'), { recursive: true });
        copyFileSync(join(REPO_ROOT, 'src', 'catalog', 'spec.ts'), join(dir, root, 'catalog', 'spec.ts'));
      }
      write('use.ts', USAGE);
      write(
        'tsconfig.json',
        JSON.stringify({
          compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, types: [], noUnusedLocals: true },
          include: ['**/*.ts'],
        }),
      );
      const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8', timeout: 120_000 });
      expect(tsc.error).toBeUndefined();
      expect({ status: tsc.status, out: `${tsc.stdout}${tsc.stderr}` }).toEqual({ status: 0, out: '' });
    });
  }, 150_000);
});
