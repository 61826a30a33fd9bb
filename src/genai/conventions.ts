// The GenAI client metrics the view records, as the convention defines them (names, units, explicit
// bucket boundaries, attributes and their requirement levels), in the catalog's MetricSpec shape
// so the runtime's series, limits and export and `verify` treat them like catalog metrics.
// Source: open-telemetry/semantic-conventions-genai docs/gen-ai/gen-ai-metrics.md (Development).
import type { BucketSpec, MetricSpec } from '../catalog/spec.js';
import { ERROR_TYPE, GEN_AI_OPERATION_NAME, GEN_AI_PROVIDER_NAME, GEN_AI_REQUEST_MODEL, GEN_AI_TOKEN_TYPE, GENAI_FIELDS } from './attributes.js';

export const GEN_AI_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const GEN_AI_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const GEN_AI_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';

/** Section of the GenAI metrics in reports and the dashboard (they are not in docs/metrics.md). */
export const GENAI_SECTION = 'GenAI (semantic conventions)';

/** Requirement levels of the convention (attribute-requirement-level). */
export type RequirementLevel = 'required' | 'conditionally_required' | 'recommended';

/** Powers of 4, 1 … 67108864: the convention's ExplicitBucketBoundaries for token usage. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] as const;
/** Doubling from 10 ms to 81.92 s: the convention's boundaries for duration and time to first chunk. */
const SECONDS_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] as const;

const bucketSpec = (name: string, boundaries: readonly number[], description: string): BucketSpec => ({ name, boundaries, wide: boundaries, description });
export const GENAI_TOKEN_BUCKETS = bucketSpec('gen_ai.tokens', TOKEN_BUCKETS, 'Token-usage boundaries of the GenAI convention (powers of 4).');
export const GENAI_SECONDS_BUCKETS = bucketSpec('gen_ai.seconds', SECONDS_BUCKETS, 'Duration boundaries of the GenAI convention (seconds, doubling from 0.01).');

export interface GenAiMetricSpec extends MetricSpec {
  /** Requirement level of every attribute the view may write. */
  readonly levels: Readonly<Record<string, RequirementLevel>>;
}

function genAiMetric(name: string, unit: string, buckets: BucketSpec, description: string, levels: Record<string, RequirementLevel>): GenAiMetricSpec {
  const keys = Object.keys(levels);
  // `required` holds what the view always writes (the convention's Required ones); the rest is optional.
  const required = keys.filter((k) => levels[k] === 'required');
  return {
    name,
    kind: 'histogram',
    unit,
    buckets,
    tags: 'session',
    description,
    section: GENAI_SECTION,
    required,
    optional: keys.filter((k) => !required.includes(k)),
    fields: Object.fromEntries(keys.map((k) => [k, GENAI_FIELDS[k]])),
    levels,
  };
}

export const GENAI_METRICS: readonly GenAiMetricSpec[] = [
  genAiMetric(GEN_AI_TOKEN_USAGE, '{token}', GENAI_TOKEN_BUCKETS, 'Number of input and output tokens used.', {
    [GEN_AI_OPERATION_NAME]: 'required',
    [GEN_AI_PROVIDER_NAME]: 'required',
    [GEN_AI_TOKEN_TYPE]: 'required',
    [GEN_AI_REQUEST_MODEL]: 'conditionally_required',
  }),
  // The convention makes gen_ai.provider.name conditionally required here ("if the operation
  // involves a call to a GenAI provider"); every operation the view records does, so it is always written.
  genAiMetric(GEN_AI_OPERATION_DURATION, 's', GENAI_SECONDS_BUCKETS, 'GenAI operation duration.', {
    [GEN_AI_OPERATION_NAME]: 'required',
    [GEN_AI_PROVIDER_NAME]: 'required',
    [ERROR_TYPE]: 'conditionally_required',
    [GEN_AI_REQUEST_MODEL]: 'conditionally_required',
  }),
  genAiMetric(GEN_AI_TIME_TO_FIRST_CHUNK, 's', GENAI_SECONDS_BUCKETS, 'Time to receive the first chunk of a streaming response.', {
    [GEN_AI_OPERATION_NAME]: 'required',
    [GEN_AI_PROVIDER_NAME]: 'required',
    [GEN_AI_REQUEST_MODEL]: 'conditionally_required',
  }),
];

/** A GenAI metric by name. */
export function findGenAiMetric(name: unknown): GenAiMetricSpec | undefined {
  return GENAI_METRICS.find((m) => m.name === name);
}
