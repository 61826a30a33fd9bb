// `verify` and the GenAI view: gen_ai.* metrics are checked against the convention instead of
// reported as unknown, and with --genai they are coverage targets of their own section.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyCommand } from '../../src/cli/verify.js';
import { GENAI_METRICS, GENAI_SECTION } from '../../src/genai/conventions.js';
import { DEFAULT_TAGS, METRICS, RETIRED_METRICS } from '../../src/generated/catalog.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import { decodeExport } from '../interop/fixtures.js';
import { demoExport } from './demo-export.js';

interface KeyValue {
  key: string;
  value: { stringValue?: string };
}
interface JsonMetric {
  name: string;
  unit: string;
  histogram?: { dataPoints: { attributes: KeyValue[]; explicitBounds: number[] }[] };
}
interface JsonBody {
  resourceMetrics: { scopeMetrics: { metrics: JsonMetric[] }[] }[];
}

const genAiBody = async (): Promise<JsonBody> => (await demoExport('producer', { genAi: true }))[0] as JsonBody;
const metricsOf = (body: JsonBody) => body.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
const pointsOf = (body: JsonBody) => decodeExport('application/json', Buffer.from(JSON.stringify(body)));
const checker = () => createConformanceChecker({ specs: METRICS, conventionSpecs: GENAI_METRICS, defaultTags: DEFAULT_TAGS, retired: RETIRED_METRICS });

const dir = mkdtempSync(join(tmpdir(), 'genai-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verify(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await verifyCommand(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
  return { code, out, err };
}

describe('verify checks gen_ai.* against the convention', () => {
  it('the demo export with the view on has no violation', async () => {
    const c = checker();
    c.check(await pointsOf(await genAiBody()));
    expect(c.report().violations).toEqual([]);
    expect(c.report().metricsSeen).toEqual(expect.arrayContaining(GENAI_METRICS.map((m) => m.name)));
  });

  it('without the conventions they would be unknown metrics', async () => {
    const c = createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS });
    c.check(await pointsOf(await genAiBody()));
    expect(new Set(c.report().violations.map((v) => `${v.code} ${v.metric}`))).toEqual(new Set(GENAI_METRICS.map((m) => `unknown_metric ${m.name}`)));
  });

  it('wrong unit, bounds, a missing required attribute, an unknown operation or token type are violations', async () => {
    const body = await genAiBody();
    for (const metric of metricsOf(body)) {
      if (metric.name === 'gen_ai.client.operation.duration') {
        metric.unit = 'ms';
        for (const p of metric.histogram!.dataPoints) p.attributes = p.attributes.filter((a) => a.key !== 'gen_ai.provider.name');
      }
      if (metric.name === 'gen_ai.client.operation.time_to_first_chunk') {
        for (const p of metric.histogram!.dataPoints) {
          p.explicitBounds = [0, 5, 10];
          for (const a of p.attributes) if (a.key === 'gen_ai.operation.name') a.value = { stringValue: 'invoke-agent' };
        }
      }
      if (metric.name === 'gen_ai.client.token.usage') {
        for (const p of metric.histogram!.dataPoints) for (const a of p.attributes) if (a.key === 'gen_ai.token.type') a.value = { stringValue: 'cached_input' };
      }
    }
    const c = checker();
    c.check(await pointsOf(body));
    const found = c.report().violations.map((v) => [v.code, v.metric, v.field]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['wrong_unit', 'gen_ai.client.operation.duration', undefined],
        ['missing_field', 'gen_ai.client.operation.duration', 'gen_ai.provider.name'],
        ['wrong_buckets', 'gen_ai.client.operation.time_to_first_chunk', undefined],
        // Three bounds for the counts of the real ones: the structure check sees it too.
        ['bucket_count_mismatch', 'gen_ai.client.operation.time_to_first_chunk', undefined],
        ['invalid_value', 'gen_ai.client.operation.time_to_first_chunk', 'gen_ai.operation.name'],
        ['invalid_value', 'gen_ai.client.token.usage', 'gen_ai.token.type'],
      ]),
    );
    expect(found).toHaveLength(6);
  });
});

describe('verify --file with --genai: coverage and --require', () => {
  const save = async (name: string, genAi: boolean) => {
    // The package's own JSON export (time fields zeroed, which verify accepts), one request per line.
    const file = join(dir, name);
    writeFileSync(file, (await demoExport('producer', { genAi })).map((b) => JSON.stringify(b)).join('\n'));
    return file;
  };

  it('--genai --require all passes on the view\'s export, with a GenAI section', async () => {
    const file = await save('on.jsonl', true);
    const { code, out } = await verify(['--file', file, '--genai', '--require', 'all', '--json']);
    const report = JSON.parse(out) as { ok: boolean; coverage: { sections: { section: string; documented: number; arrived: number }[] } };
    expect(code).toBe(0);
    expect(report.coverage.sections).toContainEqual(expect.objectContaining({ section: GENAI_SECTION, documented: 3, arrived: 3 }));
    // Without --genai the GenAI metrics are checked but not counted.
    const plain = JSON.parse((await verify(['--file', file, '--require', 'all', '--json'])).out) as typeof report;
    expect(plain.ok).toBe(true);
    expect(plain.coverage.sections.map((s) => s.section)).not.toContain(GENAI_SECTION);
  });

  it('--require genai on an export without the view exits 1 naming the three metrics', async () => {
    const file = await save('off.jsonl', false);
    const { code, out } = await verify(['--file', file, '--genai', '--require', 'genai']);
    expect(code).toBe(1);
    for (const m of GENAI_METRICS) expect(out).toContain(m.name);
    expect((await verify(['--file', file, '--require', 'all'])).code).toBe(0);
  });

  it('--require genai without --genai is a usage error that says how', async () => {
    const { code, err } = await verify(['--file', join(dir, 'none.jsonl'), '--require', 'genai']);
    expect(code).toBe(2);
    expect(err).toContain('targets with --genai');
  });
});
