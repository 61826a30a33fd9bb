// The `genAi` option: off by default; `true` or `{ providerName }` turns the view on.
import { MAX_VALUE_LENGTH, VALUE_PATTERN } from '../catalog/spec.js';
import { DEFAULT_PROVIDER_NAME } from './attributes.js';

export interface GenAiOptions {
  /** `gen_ai.provider.name` on every GenAI point (default `openai`): e.g. `azure.ai.openai` behind Azure. */
  providerName?: string;
}

/** The view's resolved settings. */
export interface GenAiConfig {
  readonly providerName: string;
}

/** Settings, `undefined` (off), or the reason the option cannot be used (an error value). */
export type GenAiResolution = { readonly ok: true; readonly config: GenAiConfig | undefined } | { readonly ok: false; readonly reason: string };

export function resolveGenAi(option: unknown): GenAiResolution {
  if (option === undefined || option === false) return { ok: true, config: undefined };
  if (option === true) return { ok: true, config: { providerName: DEFAULT_PROVIDER_NAME } };
  if (typeof option !== 'object' || option === null || Array.isArray(option)) return { ok: false, reason: 'must be a boolean or { providerName?: string }' };
  const providerName = (option as GenAiOptions).providerName;
  if (providerName === undefined) return { ok: true, config: { providerName: DEFAULT_PROVIDER_NAME } };
  if (typeof providerName !== 'string' || providerName.length === 0 || providerName.length > MAX_VALUE_LENGTH || !VALUE_PATTERN.test(providerName)) {
    return { ok: false, reason: `providerName must be 1 to ${MAX_VALUE_LENGTH} characters of [A-Za-z0-9._/-], e.g. openai or azure.ai.openai` };
  }
  return { ok: true, config: { providerName } };
}
