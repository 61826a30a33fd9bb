import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_TAG_KEYS } from '../../src/catalog/spec.js';
import { registryCommand, renderSemconvYaml } from '../../src/cli/registry.js';
import { METRICS } from '../../src/generated/catalog.js';
import type { SemconvAttributeGroup, SemconvMetricGroup, SemconvRegistry } from '../../src/verify/semconv.js';

const registry = parse(renderSemconvYaml()) as SemconvRegistry;
const attributeGroup = registry.groups[0] as SemconvAttributeGroup;
const metrics = registry.groups.slice(1) as SemconvMetricGroup[];
const metric = (name: string) => metrics.find((m) => m.metric_name === `codex.${name}`)!;
const attribute = (id: string) => attributeGroup.attributes.find((a) => a.id === id)!;
const levels = (name: string) => Object.fromEntries(metric(name).attributes.map((r) => [r.ref, r.requirement_level]));

describe('semconv registry YAML', () => {
  it('has one attribute_group and one metric group per catalog metric', () => {
    expect(attributeGroup).toMatchObject({ id: 'registry.codex', type: 'attribute_group' });
    expect(metrics).toHaveLength(METRICS.length);
    expect(metrics.map((m) => m.metric_name)).toEqual(METRICS.map((m) => `codex.${m.name}`));
    for (const m of metrics) {
      expect(m).toMatchObject({ id: `metric.${m.metric_name}`, type: 'metric', stability: 'development' });
      expect(['counter', 'histogram']).toContain(m.instrument);
      expect(m.brief).not.toBe('');
    }
  });

  it('describes metrics with instrument, unit and refs with requirement levels', () => {
    expect(metric('api_request')).toMatchObject({ instrument: 'counter', unit: '1' });
    expect(metric('api_request.duration_ms')).toMatchObject({ instrument: 'histogram', unit: 'ms' });
    expect(metric('turn.token_usage')).toMatchObject({ instrument: 'histogram', unit: '{token}' });
    const defaults = Object.fromEntries(DEFAULT_TAG_KEYS.map((k) => [k, 'required']));
    expect(levels('api_request')).toEqual({ status: 'required', success: 'required', ...defaults });
    expect(levels('mcp.call')).toEqual({ status: 'required', tool: 'recommended', server: 'recommended', connector_id: 'recommended', connector_name: 'recommended', ...defaults });
    expect(levels('status_line')).toEqual(defaults);
    // originator is both a default tag and a field of this metric: one ref.
    expect(metric('windows_sandbox.setup_success').attributes.filter((r) => r.ref === 'originator')).toHaveLength(1);
  });

  it("requires the default tags each metric's tags scope attaches; the others are recommended", () => {
    const recommended = Object.fromEntries(DEFAULT_TAG_KEYS.map((k) => [k, 'recommended']));
    // session: all five required (above); originator: only originator; none: none.
    expect(levels('process.start')).toEqual({ ...recommended, originator: 'required' });
    expect(levels('sqlite.init.count')).toEqual({ db: 'required', phase: 'required', status: 'required', error: 'required', ...recommended, originator: 'required' });
    expect(levels('db.backfill')).toEqual({ status: 'required', ...recommended });
    // A documented required field stays required whatever the scope.
    expect(levels('windows_sandbox.setup_success')).toMatchObject({ originator: 'required', mode: 'required', model: 'recommended' });
    for (const spec of METRICS) {
      const attached = new Set<string>(spec.tags === 'session' ? DEFAULT_TAG_KEYS : spec.tags === 'originator' ? ['originator'] : []);
      for (const key of DEFAULT_TAG_KEYS) {
        const expected = attached.has(key) || spec.required.includes(key) ? 'required' : 'recommended';
        expect(levels(spec.name)[key], `${spec.name} ${key}`).toBe(expected);
      }
    }
  });

  it("carries each histogram's bucket boundaries in annotations.codex, exactly, and says so in the note", () => {
    const text = renderSemconvYaml();
    for (const spec of METRICS) {
      const group = metric(spec.name);
      if (!spec.buckets) {
        expect(group.annotations, spec.name).toBeUndefined();
        expect(group.note, spec.name).toBeUndefined();
        continue;
      }
      expect(group.annotations, spec.name).toEqual({ codex: { bucket_set: spec.buckets.name, explicit_bucket_boundaries: [...spec.buckets.boundaries] } });
      expect(group.note).toContain(`the \`${spec.buckets.name}\` set the Codex CLI sends`);
    }
    // Floats survive the YAML round trip bit for bit (the truncated-chars set has 511 of them).
    const truncated = METRICS.find((m) => m.buckets?.name === 'truncated-chars')!;
    expect(metric(truncated.name).annotations!.codex.explicit_bucket_boundaries).toEqual(truncated.buckets!.boundaries);
    expect(metric('api_request.duration_ms').note).toBe(
      'This metric SHOULD be specified with ExplicitBucketBoundaries of `[ 0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250, 2500, 3000, 3500, 4000, 4500, 5000, 6000, 7000, 7500, 8000, 9000, 10000, 12000, 15000, 20000, 30000, 60000, 120000 ]` (the `duration` set the Codex CLI sends; the list is in `annotations.codex.explicit_bucket_boundaries`).',
    );
    // One flow sequence per histogram, not one line per boundary.
    expect(text).toContain('explicit_bucket_boundaries: [ 0, 5, 10, 25,');
    expect(text.split('\n').length).toBeLessThan(10_000);
  });

  it('uses only keys Weaver accepts on a metric group (it rejects unknown ones)', () => {
    // weaver_semconv GroupSpec fields (serde deny_unknown_fields) that this export uses.
    const accepted = new Set(['id', 'type', 'brief', 'note', 'stability', 'attributes', 'metric_name', 'instrument', 'unit', 'annotations']);
    for (const m of metrics) for (const key of Object.keys(m)) expect(accepted, `${m.id}: ${key}`).toContain(key);
  });

  it('every ref points at a registry attribute, each defined once', () => {
    const ids = attributeGroup.attributes.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of metrics) for (const r of m.attributes) expect(ids).toContain(r.ref);
  });

  it('types attributes, with enums for closed sets', () => {
    expect(attribute('success')).toMatchObject({ type: 'boolean', stability: 'development' });
    expect(attribute('attempt')).toMatchObject({ type: 'int' });
    expect(attribute('tool')).toMatchObject({ type: 'string' });
    const tokenType = attribute('token_type').type as { members: { id: string; value: string }[] };
    expect(tokenType.members.map((m) => m.value)).toEqual(['total', 'input', 'cached_input', 'cache_write_input', 'output', 'reasoning_output']);
    expect(tokenType.members[2]).toMatchObject({ id: 'cached_input', value: 'cached_input', stability: 'development' });
    expect((attribute('auth_mode').type as { members: { value: string }[] }).members.map((m) => m.value)).toEqual(['ApiKey', 'Chatgpt', 'unknown']);
    expect(attribute('auth_mode').note).toBeUndefined();
    expect(attribute('success').note).toMatch(/`true` or `false`/);
  });

  it('shows metric-scoped variants of an attribute as ref overrides', () => {
    expect(attribute('status')).toMatchObject({ type: 'string', brief: expect.stringMatching(/^Outcome status of the operation/) });
    const status = metric('api_request').attributes.find((r) => r.ref === 'status')!;
    expect(status.brief).toMatch(/HTTP status code/);
    expect(status.note).toMatch(/decimal integer or one of `none`/);
    const backfill = metric('db.backfill').attributes.find((r) => r.ref === 'status')!;
    expect(backfill.note).toBe('One of `upserted`, `failed`.');
    expect(metric('hooks.run').attributes.find((r) => r.ref === 'status')).toEqual({ ref: 'status', requirement_level: 'required' });
  });

  it('the command writes the file with --out and rejects other formats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semconv-'));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = join(dir, 'registry', 'codex.yaml');
      expect(await registryCommand(['--format', 'semconv', '--out', out])).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(renderSemconvYaml());
      expect(await registryCommand(['--format', 'json'])).toBe(2);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/use --format semconv/);
    } finally {
      stderr.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
