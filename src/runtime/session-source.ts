// `session_source` values that carry an id: Codex names a sub-agent spawned by a thread
// `subagent_thread_spawn_<parent thread uuid>_d<depth>`, a new value (a new series of every
// session metric) per parent thread. Folded to `subagent_thread_spawn` once per set of default tags
// (normalizeDefaults), never per measurement. The same rule, as a regex, is what the Prometheus
// relabel and Collector transform recipes in docs/fleet.md apply to Codex's own data.

/** RE2 and JavaScript alike; the recipes anchor it the way their engines need. */
export const SESSION_SOURCE_FOLD_PATTERN = 'subagent_thread_spawn_.+';
export const SESSION_SOURCE_FOLDED = 'subagent_thread_spawn';

const FOLD = new RegExp(`^${SESSION_SOURCE_FOLD_PATTERN}$`, 's');

/** `subagent_thread_spawn_<uuid>_d<n>` → `subagent_thread_spawn`; every other value unchanged. */
export function foldSessionSource(value: string): string {
  return FOLD.test(value) ? SESSION_SOURCE_FOLDED : value;
}
