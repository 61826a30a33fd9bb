// Compile-time tests: `npm run typecheck` (tsc --noEmit over test/) fails if any
// `@ts-expect-error` line compiles, or if a correct call does not.
import { CodexMetricProducer, createCodexMetrics, type CodexMetrics, type CounterFields, type HistogramName } from '../../src/index.js';

declare const m: CodexMetrics;

// Correct calls compile.
m.add('api_request', { status: 200, success: true });
m.add('api_request', { status: 'none', success: false }, 3);
m.add('status_line');
m.add('conversation.turn.count', undefined, 4);
m.add('mcp.call', { status: 'blocked' });
m.add('mcp.call', { status: 'ok', tool: 'search', connector_id: 'c', connector_name: 'n' });
m.add('windows_sandbox.legacy_setup_preflight_failed');
m.add('task.compact', { type: 'remote', manual: false });
m.add('approval.requested', { tool: 'shell', approved: 'approved_for_session' });
m.record('api_request.duration_ms', 812, { status: 200, success: true });
m.record('turn.e2e_duration_ms', 90_000);
m.record('turn.token_usage', 1200, { token_type: 'cached_input', tmp_mem_enabled: false });
const stop = m.startTimer('tool.call.duration_ms', { tool: 'shell' });
const elapsed: number = stop({ success: true });
m.withDefaults({ model: 'o4-mini' }).add('tool.call', { tool: 'shell', success: true });
createCodexMetrics({ defaults: { auth_mode: 'chatgpt', originator: 'codex_cli_rs', session_source: 'cli', model: 'm', 'app.version': '1.0.0' }, strict: true });

// Unknown metric names.
// @ts-expect-error not in the catalog
m.add('api_requests', { status: 200, success: true });
// @ts-expect-error the prefixed wire name is not the catalog name
m.add('codex.api_request', { status: 200, success: true });

// Wrong kind: add takes counters only, record/startTimer histograms only.
// @ts-expect-error api_request.duration_ms is a histogram
m.add('api_request.duration_ms', { status: 200, success: true });
// @ts-expect-error api_request is a counter
m.record('api_request', 1, { status: 200, success: true });
// @ts-expect-error timers are for histograms
m.startTimer('tool.call', { tool: 'shell' });

// Wrong, missing and extra fields.
// @ts-expect-error field name misspelt
m.add('api_request', { status: 200, sucess: true });
// @ts-expect-error required field `success` missing
m.add('api_request', { status: 200 });
// @ts-expect-error fields object required when the metric has required fields
m.add('tool.call');
// @ts-expect-error undocumented extra field
m.add('tool.call', { tool: 'shell', success: true, command: 'rm -rf /' });
// @ts-expect-error a metric without fields takes none
m.add('status_line', { reason: 'x' });
// @ts-expect-error optional fields still have types
m.add('mcp.call', { status: 'ok', tool: 3 });

// Wrong value types and values outside closed sets.
// @ts-expect-error success is a boolean
m.add('api_request', { status: 200, success: 'yes' });
// @ts-expect-error status is a number or 'none'
m.add('api_request', { status: 'ok', success: true });
// @ts-expect-error token_type is a closed set
m.record('turn.token_usage', 5, { token_type: 'prompt', tmp_mem_enabled: true });
// @ts-expect-error task.compact type is remote | remote_v2 | local
m.add('task.compact', { type: 'manual', manual: true });
// @ts-expect-error task.compact needs manual (Codex always sends it)
m.add('task.compact', { type: 'local' });
// @ts-expect-error approved is a closed set
m.add('approval.requested', { tool: 'shell', approved: 'yes' });
// @ts-expect-error the increment is a number
m.add('task.review', undefined, '1');
// @ts-expect-error the value is a number
m.record('turn.e2e_duration_ms', '12');
// @ts-expect-error timer stop fields are typed too
stop({ success: 'true' });
// @ts-expect-error auth_mode is a closed set
m.withDefaults({ auth_mode: 'oauth' });
// @ts-expect-error unknown default tag
m.withDefaults({ user: 'alice' });

// The generated types are usable directly.
const fields: CounterFields['hooks.run'] = { hook_name: 'h', source: 's', status: 'ok' };
m.add('hooks.run', fields);
const name: HistogramName = 'db.backfill.duration_ms';
m.record(name, 1, { status: 'failed' });
void elapsed;

// Options of the producer and the buckets.
createCodexMetrics({ metricProducer: new CodexMetricProducer({ temporality: 'delta' }), histogramBuckets: 'wide', maxSeriesPerMetric: 500 });
// @ts-expect-error an unknown bucket choice
createCodexMetrics({ histogramBuckets: 'narrow' });
// @ts-expect-error the producer takes the reader's temporality, not an exporter preference
new CodexMetricProducer({ temporality: 'lowmemory' });
// Detached methods keep their types.
const { add: detachedAdd } = m;
detachedAdd('api_request', { status: 200, success: true });
// @ts-expect-error still checked when detached
detachedAdd('api_request', { status: 200 });
