// The registry as an OpenTelemetry semantic-conventions (v1 `groups:` syntax) document, so tools
// like Weaver can check and diff it. One attribute_group holds every attribute; one metric group
// per metric references them.
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS } from '../catalog/spec.js';
import type { FieldSpec, MetricSpec } from '../catalog/spec.js';

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
  stability: typeof STABILITY;
  attributes: SemconvRef[];
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
    // Default tags are attached to every data point by the emitter.
    for (const name of DEFAULT_TAG_KEYS) add(name, 'required');
    for (const name of spec.optional) add(name, 'recommended');
    return {
      id: `metric.${prefix}${spec.name}`,
      type: 'metric',
      metric_name: `${prefix}${spec.name}`,
      instrument: spec.kind,
      unit: spec.unit,
      brief: spec.description,
      stability: STABILITY,
      attributes: [...refs.values()],
    };
  });
  return { groups: [attributeGroup, ...metricGroups] };
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
