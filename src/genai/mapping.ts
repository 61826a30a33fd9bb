// From the registry's source metrics to the GenAI metrics: which series of which Codex metric
// becomes which GenAI series, and how its value converts. A mapping reads the exported attributes
// of the source series (default tags and wire-formatted fields), so it is decided once per series.
//
// Token types (checked against the real Codex CLI 0.171.0 export, plain-turn fixture: input 1200
// including cached_input 200, output 300 including reasoning_output 80, total 1500 = input + output):
// `cached_input` and `cache_write_input` are parts of `input`, `reasoning_output` of `output`, and
// `total` is their sum, so only `input` and `output` are recorded; nothing is counted twice.
import { isWireInt, type MetricSpec } from '../catalog/spec.js';
import { METRICS } from '../generated/catalog.js';
import {
  ERROR_TYPE,
  ERROR_TYPE_OTHER,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_TOKEN_TYPE,
  type GenAiOperation,
} from './attributes.js';
import { findGenAiMetric, GEN_AI_OPERATION_DURATION, GEN_AI_TIME_TO_FIRST_CHUNK, GEN_AI_TOKEN_USAGE, type GenAiMetricSpec } from './conventions.js';

type SourceAttributes = Readonly<Record<string, unknown>>;

/** One GenAI measurement a source series feeds: into `metric`, the source value divided by `divisor`
 * (a division, so that 2300 ms is exactly 2.3 s; times 0.001 is not). */
export interface GenAiTarget {
  readonly metric: GenAiMetricSpec;
  readonly divisor: number;
  /** GenAI attributes specific to the series (operation, token or error type). */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface GenAiSource {
  /** Registry name of the source metric (without the `codex.` prefix). */
  readonly source: string;
  /** The source field(s) the mapping reads; documented in docs/genai.md. */
  readonly reads: readonly string[];
  /** The GenAI series one source series feeds (none: not mirrored, e.g. a token subtotal). */
  targets(attributes: SourceAttributes): GenAiTarget[];
}

const MS_PER_S = 1000;
const metric = (name: string): GenAiMetricSpec => findGenAiMetric(name)!;
const operation = (name: GenAiOperation) => ({ [GEN_AI_OPERATION_NAME]: name });

export const GENAI_SOURCES: readonly GenAiSource[] = [
  {
    source: 'turn.token_usage',
    reads: ['token_type'],
    targets(attributes) {
      const type = attributes.token_type;
      if (type !== 'input' && type !== 'output') return []; // subsets of input/output, or their total
      return [{ metric: metric(GEN_AI_TOKEN_USAGE), divisor: 1, attributes: { ...operation('invoke_agent'), [GEN_AI_TOKEN_TYPE]: type } }];
    },
  },
  {
    source: 'api_request.duration_ms',
    reads: ['success', 'status'],
    targets(attributes) {
      const failed = attributes.success === 'false';
      const status = attributes.status;
      const error: Record<string, string> = failed ? { [ERROR_TYPE]: typeof status === 'string' && isWireInt(status) ? status : ERROR_TYPE_OTHER } : {};
      return [{ metric: metric(GEN_AI_OPERATION_DURATION), divisor: MS_PER_S, attributes: { ...operation('chat'), ...error } }];
    },
  },
  {
    source: 'turn.e2e_duration_ms',
    reads: [],
    targets: () => [{ metric: metric(GEN_AI_OPERATION_DURATION), divisor: MS_PER_S, attributes: operation('invoke_agent') }],
  },
  {
    // Approximation: measured from the turn's start, not from the request that streamed the chunk.
    source: 'turn.ttft.duration_ms',
    reads: [],
    targets: () => [{ metric: metric(GEN_AI_TIME_TO_FIRST_CHUNK), divisor: MS_PER_S, attributes: operation('invoke_agent') }],
  },
];

const bySource = new Map(GENAI_SOURCES.map((s) => [s.source, s]));

/** The mapping of a registry metric, if it feeds the GenAI view. */
export function genAiSourceOf(name: string): GenAiSource | undefined {
  return bySource.get(name);
}

/** The registry spec of every source metric; a source missing from the registry is listed in `missing`. */
export function genAiSourceSpecs(): { specs: MetricSpec[]; missing: string[] } {
  const specs: MetricSpec[] = [];
  const missing: string[] = [];
  for (const { source } of GENAI_SOURCES) {
    const spec = METRICS.find((m) => m.name === source);
    if (spec) specs.push(spec);
    else missing.push(source);
  }
  return { specs, missing };
}

/**
 * The full attributes of a GenAI series: the source's default tags, the series' own GenAI
 * attributes, the provider, and the model (from the `model` default tag, omitted when `unknown`).
 */
export function genAiAttributes(target: GenAiTarget, source: SourceAttributes, defaultTagKeys: readonly string[], providerName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of defaultTagKeys) {
    const value = source[key];
    if (typeof value === 'string') out[key] = value;
  }
  Object.assign(out, target.attributes);
  out[GEN_AI_PROVIDER_NAME] = providerName;
  const model = source.model;
  if (typeof model === 'string' && model !== 'unknown') out[GEN_AI_REQUEST_MODEL] = model;
  return out;
}

