// The registry as an OpenTelemetry semantic-conventions (v1 `groups:` syntax) document, so tools
// like Weaver can check and diff it. One attribute_group holds every attribute; one metric group
// per metric references them. Histogram bucket boundaries, which the convention has no field for,
// travel in the group's `annotations` (the one place Weaver accepts extra data: it rejects unknown
// keys) under `codex`.
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, defaultTagsOf } from '../catalog/spec.js';
import type { BucketSpec, FieldSpec, MetricSpec } from '../catalog/spec.js';

export const ATTRIBUTE_GROUP_ID = 'registry.codex';
const STABILITY = 'development';

export type SemconvType = 'string' | 'boolean' | 'int' | { members: SemconvMember[] };
export interface SemconvMember {
  id: string;
  value: string;
  brief: string;
  stability: typeof STABILITY;
}
export interface SemconvAttribute {
  id: string;
  type: SemconvType;
  brief: string;
  note?: string;
  stability: typeof STABILITY;
}
export interface SemconvRef {
  ref: string;
  requirement_level: 'required' | 'recommended';
  brief?: string;
  note?: string;
}
export interface SemconvAttributeGroup {
  id: string;
  type: 'attribute_group';
  brief: string;
  attributes: SemconvAttribute[];
}
export interface SemconvMetricGroup {
  id: string;
  type: 'metric';
  metric_name: string;
  instrument: 'counter' | 'histogram';
  unit: string;
  brief: string;
  note?: string;
  stability: typeof STABILITY;
  attributes: SemconvRef[];
  annotations?: { codex: CodexAnnotations };
}
/** The package's extension of a metric group (`annotations.codex`). */
export interface CodexAnnotations {
  /** Name of the bucket set in docs/metrics.md "Histogram buckets". */
  bucket_set: string;
  /** The explicit bucket boundaries the Codex CLI sends, which `verify` expects by default. */
  explicit_bucket_boundaries: number[];
}
export interface SemconvRegistry {
  groups: (SemconvAttributeGroup | SemconvMetricGroup)[];
}

export function buildSemconvRegistry(
  specs: readonly MetricSpec[],
  defaultTags: Readonly<Record<string, FieldSpec>>,
  prefix = DEFAULT_PREFIX,
): SemconvRegistry {
  const registryFields = registryDefinitions(specs, defaultTags);
  const attributeGroup: SemconvAttributeGroup = {
    id: ATTRIBUTE_GROUP_ID,
    type: 'attribute_group',
    brief: 'Attributes of the Codex metrics; on the wire every value is a string.',
    attributes: [...registryFields.values()].map(toAttribute),
  };
  const metricGroups = specs.map((spec): SemconvMetricGroup => {
    const refs = new Map<string, SemconvRef>();
    const add = (name: string, level: SemconvRef['requirement_level']): void => {
      if (refs.has(name)) return;
      const ref: SemconvRef = { ref: name, requirement_level: level };
      const own = spec.fields[name];
      const registry = registryFields.get(name);
      // The registry holds one definition per attribute; a metric-scoped variant shows up as overrides.
      if (own && registry && !sameDefinition(own, registry)) {
        ref.brief = own.description;
        const note = typeNote(own);
        if (note) ref.note = note;
      }
      refs.set(name, ref);
    };
    for (const name of spec.required) add(name, 'required');
    // The default tags the Codex CLI attaches to this metric (its `tags` scope) are required, as
    // verify requires them; the others are recommended, since this package sends all five.
    const attached = new Set<string>(defaultTagsOf(spec.tags));
    for (const name of DEFAULT_TAG_KEYS) add(name, attached.has(name) ? 'required' : 'recommended');
    for (const name of spec.optional) add(name, 'recommended');
    const group: SemconvMetricGroup = {
      id: `metric.${prefix}${spec.name}`,
      type: 'metric',
      metric_name: `${prefix}${spec.name}`,
      instrument: spec.kind,
      unit: spec.unit,
      brief: spec.description,
      ...(spec.buckets ? { note: bucketNote(spec.buckets) } : {}),
      stability: STABILITY,
      attributes: [...refs.values()],
      ...(spec.buckets ? { annotations: { codex: { bucket_set: spec.buckets.name, explicit_bucket_boundaries: [...spec.buckets.boundaries] } } } : {}),
    };
    return group;
  });
  return { groups: [attributeGroup, ...metricGroups] };
}

/** The convention's own wording for bucket advice (as on `http.server.request.duration`), shortened for long sets. */
function bucketNote(buckets: BucketSpec): string {
  const bounds = buckets.boundaries;
  const list = bounds.length <= 40 ? `\`[ ${bounds.join(', ')} ]\`` : `${bounds.length} boundaries from ${bounds[0]} to ${bounds[bounds.length - 1]}`;
  return `This metric SHOULD be specified with ExplicitBucketBoundaries of ${list} (the \`${buckets.name}\` set the Codex CLI sends; the list is in \`annotations.codex.explicit_bucket_boundaries\`).`;
}

/**
 * One definition per attribute name: the default tag's, else the variant most metrics use (ties go
 * to the first in documentation order). Order: default tags, then first use.
 */
function registryDefinitions(specs: readonly MetricSpec[], defaultTags: Readonly<Record<string, FieldSpec>>): Map<string, FieldSpec> {
  const variants = new Map<string, { field: FieldSpec; uses: number }[]>();
  for (const spec of specs) {
    for (const name of [...spec.required, ...spec.optional]) {
      const field = spec.fields[name];
      if (!field) continue;
      const list = variants.get(name) ?? [];
      const known = list.find((v) => sameDefinition(v.field, field));
      if (known) known.uses++;
      else list.push({ field, uses: 1 });
      variants.set(name, list);
    }
  }
  const out = new Map<string, FieldSpec>();
  for (const name of DEFAULT_TAG_KEYS) if (defaultTags[name]) out.set(name, defaultTags[name]);
  for (const [name, list] of variants) {
    if (out.has(name)) continue;
    out.set(name, list.reduce((best, v) => (v.uses > best.uses ? v : best)).field);
  }
  return out;
}

function sameDefinition(a: FieldSpec, b: FieldSpec): boolean {
  return a.type === b.type && a.description === b.description && (a.values ?? []).join('|') === (b.values ?? []).join('|');
}

function toAttribute(field: FieldSpec): SemconvAttribute {
  const type = semconvType(field);
  const attribute: SemconvAttribute = { id: field.name, type, brief: field.description, stability: STABILITY };
  // An enum's members already say what the note would.
  const note = typeof type === 'object' ? undefined : typeNote(field);
  if (note) attribute.note = note;
  return attribute;
}

/** Closed string sets become enums; an int with extra spellings (`none`) can only be a string. */
function semconvType(field: FieldSpec): SemconvType {
  const values = field.values ?? [];
  if (field.type === 'boolean') return 'boolean';
  if (field.type === 'int') return values.length ? 'string' : 'int';
  if (!values.length) return 'string';
  return { members: values.map((value) => ({ id: memberId(value), value, brief: value, stability: STABILITY })) };
}

function typeNote(field: FieldSpec): string | undefined {
  const values = field.values ?? [];
  const wire = 'Sent as a string on the wire';
  if (field.type === 'boolean') return `${wire}: \`true\` or \`false\`.`;
  if (field.type === 'int') return `${wire}: a decimal integer${values.length ? ` or one of ${values.map((v) => `\`${v}\``).join(', ')}` : ''}.`;
  return values.length ? `One of ${values.map((v) => `\`${v}\``).join(', ')}.` : undefined;
}

/** Enum member ids must be lower-case identifiers. */
function memberId(value: string): string {
  const id = value.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(id) ? id : `v_${id}`;
}
