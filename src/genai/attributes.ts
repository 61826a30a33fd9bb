// Attribute names and well-known values of the OpenTelemetry GenAI semantic conventions that the
// GenAI view writes (semantic-conventions-genai, docs/gen-ai/gen-ai-metrics.md; status Development).
import type { FieldSpec } from '../catalog/spec.js';

export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const ERROR_TYPE = 'error.type';

/** The operations the view records: one API request is a `chat`, one Codex turn an `invoke_agent`. */
export type GenAiOperation = 'chat' | 'invoke_agent';

/**
 * The convention's well-known `gen_ai.operation.name` values (a custom value MAY be used when none
 * applies; `verify` accepts only these, so a typo is caught).
 */
export const WELL_KNOWN_OPERATIONS: readonly string[] = [
  'chat',
  'create_agent',
  'create_memory',
  'create_memory_store',
  'delete_memory',
  'delete_memory_store',
  'embeddings',
  'execute_tool',
  'generate_content',
  'invoke_agent',
  'invoke_workflow',
  'plan',
  'retrieval',
  'search_memory',
  'text_completion',
  'update_memory',
  'upsert_memory',
];

/** `gen_ai.token.type` values: the convention's two. */
export const TOKEN_TYPES = ['input', 'output'] as const;

/** `error.type` when the failure has no better class (no HTTP status arrived). */
export const ERROR_TYPE_OTHER = '_OTHER';

/** Default `gen_ai.provider.name`: the Codex CLI talks to the OpenAI Responses API. */
export const DEFAULT_PROVIDER_NAME = 'openai';

/** The attributes as field specs, so the runtime and `verify` treat them like catalog fields. */
export const GENAI_FIELDS: Readonly<Record<string, FieldSpec>> = {
  [GEN_AI_OPERATION_NAME]: { name: GEN_AI_OPERATION_NAME, type: 'string', values: WELL_KNOWN_OPERATIONS, description: 'The name of the operation being performed.' },
  [GEN_AI_PROVIDER_NAME]: { name: GEN_AI_PROVIDER_NAME, type: 'string', description: 'The GenAI provider as identified by the client instrumentation (default openai).' },
  [GEN_AI_REQUEST_MODEL]: { name: GEN_AI_REQUEST_MODEL, type: 'string', description: 'The model a request is made to (the model default tag; omitted when unknown).' },
  [GEN_AI_TOKEN_TYPE]: { name: GEN_AI_TOKEN_TYPE, type: 'string', values: TOKEN_TYPES, description: 'The type of token being counted.' },
  [ERROR_TYPE]: { name: ERROR_TYPE, type: 'string', description: 'The HTTP status of a failed request, or _OTHER when none arrived.' },
};
