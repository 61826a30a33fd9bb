// A simulated agent session that records every catalog metric at least once with plausible
// fields and values. Written as a host would write it: one typed call per measurement.
import type { CodexMetrics } from '../runtime/types.js';

/** Deterministic pseudo-random numbers so demo output is stable run to run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface DemoOptions {
  /** Number of turns to simulate (default 3). */
  turns?: number;
  seed?: number;
}

export function runDemoWorkload(metrics: CodexMetrics, options: DemoOptions = {}): void {
  const rand = rng(options.seed ?? 42);
  const ms = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));

  // Start-up: remote models, prewarm, cloud requirements, plugins, features, state DB.
  metrics.record('remote_models.load_cache.duration_ms', ms(1, 8));
  metrics.record('remote_models.fetch_update.duration_ms', ms(80, 400));
  metrics.record('startup_prewarm.duration_ms', ms(200, 900), { status: 'ready', input: 'base' });
  metrics.record('cloud_config_bundle.fetch.duration_ms', ms(50, 300));
  metrics.add('cloud_config_bundle.fetch_attempt', { trigger: 'startup', attempt: 1, outcome: 'retry', status_code: 503 });
  metrics.add('cloud_config_bundle.fetch_attempt', { trigger: 'startup', attempt: 2, outcome: 'success', status_code: 200 });
  metrics.add('cloud_config_bundle.fetch_final', { trigger: 'startup', outcome: 'success', reason: 'fetched', attempt_count: 2, status_code: 200 });
  metrics.add('cloud_config_bundle.load', { trigger: 'startup', outcome: 'success', bundle_shape: 'none' });
  metrics.add('plugins.startup_sync', { transport: 'http', status: 'success' });
  metrics.add('plugins.startup_sync.final', { transport: 'http', status: 'success' });
  metrics.add('feature.state', { feature: 'web_search', value: 'true' });
  metrics.add('status_line');
  metrics.add('db.backfill', { status: 'upserted' }, 12);
  metrics.add('db.backfill', { status: 'failed' });
  metrics.record('db.backfill.duration_ms', ms(20, 200), { status: 'success' });
  metrics.add('db.error', { stage: 'migrate' });
  metrics.add('external_agent_config.detect', { migration_type: 'skills', skills_count: 3 });
  metrics.add('external_agent_config.import', { migration_type: 'mcp_servers' });

  // Process start-up as the Codex CLI 0.171.0 records it: credentials, local databases, caches.
  metrics.add('process.start');
  const authStorage = {
    operation: 'load',
    outcome: 'success',
    credential_kind: 'codex',
    storage_phase: 'policy',
    store_mode: 'file',
    selected_store: 'direct_keyring',
    actual_store: 'file',
    fallback_reason: 'none',
    secure_outcome: 'not_attempted',
    secure_error: 'none',
  };
  metrics.add('auth_storage.operation', authStorage);
  metrics.record('auth_storage.duration', ms(0, 4), authStorage);
  for (const operation of ['model', 'request', 'client_request']) {
    metrics.add('auth.selection', { mode: 'ordinary', operation, outcome: 'success' });
    metrics.record('auth.selection.duration', ms(0, 3), { mode: 'ordinary', operation, outcome: 'success' });
  }
  for (const [db, phase] of [['state', 'open_state'], ['state', 'migrate_state'], ['logs', 'open_logs']] as const) {
    metrics.add('sqlite.init.count', { db, phase, status: 'success', error: 'none' });
    metrics.record('sqlite.init.duration_ms', ms(0, 40), { db, phase, status: 'success', error: 'none' });
  }
  metrics.add('thread_history.sqlite_projection', { outcome: 'success' });
  metrics.add('plugins.loaded_cache.request', { outcome: 'load' });
  metrics.add('plugins.loaded_cache.request', { outcome: 'hit' });
  metrics.record('plugins.loaded_cache.load.duration_ms', ms(1, 30));
  metrics.record('plugins.loaded_cache.wait.duration_ms', ms(0, 5));
  metrics.record('mcp.binding_catalog.raw_definition_json_bytes', ms(20_000, 90_000), { product_sku: 'codex' });
  metrics.record('rollout.size_bytes', ms(2_000, 9_000));
  metrics.add('rollout_compression.materialize', { outcome: 'missing' });
  const read = { outcome: 'partial', format: 'plain', stage: 'none', reason: 'none', error_kind: 'none', read_progress: 'none' };
  metrics.add('rollout_compression.read', read);
  metrics.record('rollout_compression.read.io_duration_ms', ms(0, 10), read);
  // Skill selection runs in the background, outside the session.
  for (const method of ['lru_v1', 'fielded_bm25_v1']) {
    const selection = { method, status: 'selected', query_script: 'ascii_latin', query_truncated: false, candidate_set_truncated: false };
    metrics.add('skills.shadow_selection', selection);
    metrics.record('skills.shadow_selection.duration_ms', ms(0, 8), selection);
    metrics.record('skills.shadow_selection.catalog_entries', 14, selection);
    metrics.record('skills.shadow_selection.selected_entries', 3, selection);
    metrics.record('skills.shadow_selection.query_terms', 5, selection);
    metrics.record('skills.shadow_selection.reduction_bps', 7_857, selection);
  }
  metrics.record('skills.catalog.entries', 14, { stage: 'executor', status: 'complete' });

  // Windows sandbox set-up (recorded on every platform by the demo).
  metrics.add('windows_sandbox.elevated_prompt_shown');
  metrics.add('windows_sandbox.elevated_prompt_accept');
  metrics.add('windows_sandbox.setup_elevated_sandbox_command');
  metrics.add('windows_sandbox.elevated_setup_success');
  metrics.record('windows_sandbox.elevated_setup_duration_ms', ms(2_000, 90_000), { result: 'success' });
  metrics.add('windows_sandbox.elevated_setup_failure', { code: 'helper_exit', message: 'exit_code_5', originator: 'codex_cli_rs' });
  metrics.add('windows_sandbox.elevated_setup_canceled', { code: 'user_canceled' });
  metrics.add('windows_sandbox.setup_success', { originator: 'codex_cli_rs', mode: 'elevated' });
  metrics.add('windows_sandbox.setup_failure', { originator: 'codex_cli_rs', mode: 'legacy' });
  metrics.record('windows_sandbox.setup_duration_ms', ms(1_000, 240_000), { result: 'success', originator: 'codex_cli_rs', mode: 'elevated' });
  metrics.add('windows_sandbox.elevated_prompt_use_legacy');
  metrics.add('windows_sandbox.elevated_prompt_quit');
  metrics.add('windows_sandbox.fallback_prompt_shown');
  metrics.add('windows_sandbox.fallback_retry_elevated');
  metrics.add('windows_sandbox.fallback_use_legacy');
  metrics.add('windows_sandbox.fallback_prompt_quit');
  metrics.add('windows_sandbox.legacy_setup_preflight_failed', { originator: 'codex_cli_rs' });
  metrics.add('windows_sandbox.legacy_setup_preflight_failed');
  metrics.add('windows_sandbox.createprocessasuserw_failed', { error_code: 1314, path_kind: 'absolute', exe: 'pwsh.exe', level: 'restricted' });

  // A thread with skills and a shell snapshot.
  metrics.add('thread.started', { is_git: true, is_worktree: 'false' });
  metrics.record('thread.skills.enabled_total', 6, { catalog_surface: 'thread_context' });
  metrics.record('thread.skills.kept_total', 5, { catalog_surface: 'thread_context' });
  metrics.record('thread.skills.truncated', 1, { catalog_surface: 'thread_context' });
  metrics.record('thread.skills.description_truncated_chars', 37, { catalog_surface: 'thread_context' });
  metrics.add('shell_snapshot', { success: true, version: 'v1' });
  metrics.add('shell_snapshot', { success: false, version: 'v1', failure_reason: 'timeout' });
  metrics.record('shell_snapshot.duration_ms', ms(30, 400), { success: true, version: 'v1' });
  metrics.add('skill.injected', { status: 'injected', skill: 'pdf-tools' });

  const turns = options.turns ?? 3;
  for (let t = 0; t < turns; t++) {
    // Each turn may run with its own model: a view with one default overridden.
    const turn = t === turns - 1 ? metrics.withDefaults({ model: 'gpt-5.1-codex-mini' }) : metrics;
    const memEnabled = t % 2 === 0;
    if (t === 0) turn.record('startup_prewarm.age_at_first_turn_ms', ms(500, 5_000), { status: 'ready' });
    turn.add('turn.network_proxy', { active: t === 1, tmp_mem_enabled: memEnabled });
    turn.add('turn.memory', { read_allowed: true, feature_enabled: memEnabled, config_use_memories: true, has_citations: t === 2 });

    // Model transport: HTTP request with SSE events, then WebSocket.
    turn.add('api_request', { status: 200, success: true });
    turn.record('api_request.duration_ms', ms(300, 2_500), { status: 200, success: true });
    if (t === 1) {
      turn.add('api_request', { status: 429, success: false });
      turn.record('api_request.duration_ms', ms(50, 200), { status: 429, success: false });
      turn.add('api_request', { status: 'none', success: false });
      turn.record('api_request.duration_ms', ms(10_000, 30_000), { status: 'none', success: false });
    }
    for (const kind of ['response.created', 'response.output_text.delta', 'response.completed']) {
      turn.add('sse_event', { kind, success: true });
      turn.record('sse_event.duration_ms', ms(0, 5), { kind, success: true });
    }
    turn.add('websocket.request', { success: t !== 1 });
    turn.record('websocket.request.duration_ms', ms(100, 900), { success: t !== 1 });
    turn.add('websocket.event', { kind: 'response.completed', success: true });
    turn.record('websocket.event.duration_ms', ms(0, 4), { kind: 'response.completed', success: true });
    if (t === 1) turn.add('transport.fallback_to_http', { from_wire_api: 'responses_websocket' });
    turn.record('responses_api_overhead.duration_ms', ms(5, 60));
    turn.record('responses_api_inference_time.duration_ms', ms(400, 4_000));
    turn.record('responses_api_engine_iapi_ttft.duration_ms', ms(100, 800));
    turn.record('responses_api_engine_service_ttft.duration_ms', ms(120, 900));
    turn.record('responses_api_engine_iapi_tbt.duration_ms', ms(5, 40));
    turn.record('responses_api_engine_service_tbt.duration_ms', ms(5, 45));
    turn.record('turn.ttft.duration_ms', ms(300, 1_500));
    turn.record('turn.ttfm.duration_ms', ms(400, 2_000));

    if (t === 0) {
      // The first turn connects the WebSocket, prewarms the session and measures start-up phases.
      turn.add('websocket.connect', { success: true, reauth: false });
      turn.record('websocket.connect.duration_ms', ms(20, 200), { success: true, reauth: false });
      turn.add('startup_prewarm.websocket_check', { input: 'base', outcome: 'needs_prewarm' });
      for (const phase of ['thread_start_total', 'startup_prewarm_total']) turn.record('startup.phase.duration_ms', ms(5, 400), { phase, status: 'ready' });
      turn.record('startup.phase.duration_ms', ms(1, 20), { phase: 'thread_start_create_thread' });
    }
    turn.add('websocket.continuation', {
      mode: t === 0 ? 'full' : 'incremental',
      phase: 'generation',
      reason: t === 0 ? 'no_previous_request' : 'incremental',
      after_prewarm: t === 0,
      current_item_type: 'none',
      previous_item_type: 'none',
    });
    turn.add('responses.reasoning_replay', { report: 'unavailable' });
    for (const exposure of ['direct', 'deferred', 'hidden']) turn.record('tools.registered', ms(2, 40), { exposure, tool_mode: 'code_mode_only', incremental_tools: true });

    // Tools, approvals, MCP, hooks.
    const tools = ['shell', 'apply_patch', 'read_file'];
    for (const tool of tools) {
      const stop = turn.startTimer('tool.call.duration_ms', { tool });
      const ok = !(t === 2 && tool === 'shell');
      turn.add('tool.call', { tool, success: ok });
      stop({ success: ok });
    }
    turn.add('tool.unified_exec', { tty: t === 0 });
    turn.add('shell_snapshot.command', { outcome: 'used', state: 'prewarm_ready', version: 'v1' });
    turn.record('shell_snapshot.wait_ms', ms(0, 3), { outcome: 'used', state: 'prewarm_ready', version: 'v1' });
    turn.add('turn.unified_exec.running_processes', undefined, t === 1 ? 1 : 0);
    if (t === 2) {
      // An escalated command reviewed by the automatic approval reviewer: allowed after one retry.
      turn.add('guardian.review.route', { route: 'required_sync', reason: 'fresh_required' });
      turn.add('guardian_v2.fast_decision', { decision: 'deferred', reason: 'out_of_scope' });
      turn.record('guardian.context.request_tokens', ms(1_000, 18_000), { component: 'total', target: 'sync', token_bucket: '01_0-20k' });
      for (const section of ['intro', 'permissions', 'planned_action']) {
        turn.record('guardian.context.section_cost', ms(100, 4_000), { section, measurement: 'text_bytes', target: 'sync' });
      }
      turn.add('guardian.review.retry', { failure_reason: 'parse_error', outcome: 'retry' });
      turn.record('guardian.review.retry_wait_ms', ms(100, 800), { failure_reason: 'parse_error', outcome: 'retry' });
      const review = {
        action: 'unified_exec',
        approval_request_source: 'main_turn',
        context_mode: 'thread_owned',
        decision: 'approved',
        failure_reason: 'none',
        guardian_model: 'gpt-5.1-codex-mini',
        guardian_reasoning_effort: 'low',
        had_prior_review_context: false,
        outcome: 'allow',
        reviewed_action_truncated: false,
        risk_level: 'low',
        session_kind: 'trunk_reused',
        terminal_status: 'approved',
        user_authorization: 'high',
      };
      turn.add('guardian.review', { ...review, context_changed: false });
      turn.record('guardian.review.duration_ms', ms(800, 6_000), review);
      turn.record('guardian.review.ttft.duration_ms', ms(200, 1_500), review);
      turn.record('guardian.review.attempt_count', 2, review);
      turn.record('guardian.review.token_usage', ms(1_000, 9_000), { ...review, token_type: 'input' });
      turn.record('guardian.review.token_usage', ms(10, 200), { ...review, token_type: 'output' });
      turn.add('guardian.review.retry_outcome', { ...review, retried: true });
      turn.record('guardian.decision.duration_ms', ms(900, 7_000));
      turn.record('guardian.turn.blocking_ms', ms(900, 7_000), { outcome: 'completed' });
    }
    turn.add('approval.requested', { tool: 'shell', approved: t === 2 ? 'denied' : 'approved_for_session' });
    turn.add('mcp.call', { status: 'ok', tool: 'search_issues', server: 'github', connector_id: 'github', connector_name: 'GitHub' });
    turn.record('mcp.call.duration_ms', ms(100, 1_500), { status: 'ok', tool: 'search_issues', server: 'github', connector_id: 'github', connector_name: 'GitHub' });
    if (t === 2) {
      turn.add('mcp.call', { status: 'error', tool: 'create_issue', server: 'github' });
      turn.add('mcp.call.error', { status: 'error', tool: 'create_issue', server: 'github', error_type: 'tool_result', error_code: 'unknown' });
    }
    if (t === 1) turn.add('mcp.call', { status: 'blocked' });
    turn.record('mcp.tools.list.duration_ms', ms(1, 300), { cache: t === 0 ? 'miss' : 'hit' });
    if (t === 0) {
      turn.add('mcp.protocol_discovery', { mode: 'legacy', outcome: 'legacy' });
      turn.record('mcp.protocol_discovery.duration_ms', ms(5, 80), { mode: 'legacy', outcome: 'legacy' });
      for (const stage of ['before', 'after']) {
        turn.record('thread.tools.namespaces_total', 2, { kind: 'snapshot', stage });
        turn.record('thread.tools.fragment_bytes', ms(200, 4_000), { kind: 'snapshot', stage });
      }
      turn.record('mcp.tools.fetch_uncached.duration_ms', ms(80, 600));
      turn.record('mcp.tools.cache_write.duration_ms', ms(1, 20));
    }
    turn.add('hooks.run', { hook_name: 'pre_tool_use', source: 'project', status: 'completed' });
    turn.record('hooks.run.duration_ms', ms(5, 120), { hook_name: 'pre_tool_use', source: 'project', status: 'completed' });
    turn.record('turn.tool.call', tools.length, { tmp_mem_enabled: memEnabled });

    const input = ms(2_000, 60_000);
    const cached = Math.floor(input * 0.6);
    const output = ms(100, 4_000);
    const reasoning = Math.floor(output * 0.4);
    turn.record('turn.token_usage', input, { token_type: 'input', tmp_mem_enabled: memEnabled });
    turn.record('turn.token_usage', cached, { token_type: 'cached_input', tmp_mem_enabled: memEnabled });
    turn.record('turn.token_usage', output, { token_type: 'output', tmp_mem_enabled: memEnabled });
    turn.record('turn.token_usage', reasoning, { token_type: 'reasoning_output', tmp_mem_enabled: memEnabled });
    turn.record('turn.token_usage', input + output, { token_type: 'total', tmp_mem_enabled: memEnabled });
    turn.record('turn.token_usage', Math.floor(input * 0.1), { token_type: 'cache_write_input', tmp_mem_enabled: memEnabled });
    turn.add('memories.usage', { kind: 'read', tool: 'memory_search', success: true });
    turn.record('turn.e2e_duration_ms', ms(2_000, 180_000));
  }

  // Thread operations, tasks, sub-agents.
  metrics.add('conversation.turn.count', undefined, turns);
  metrics.add('thread.fork', { source: 'tui' });
  metrics.add('thread.rename');
  metrics.add('thread.side', { source: 'tui' });
  metrics.add('task.compact', { type: 'local', manual: false });
  metrics.add('task.compact', { type: 'remote_v2', manual: true });
  metrics.add('task.review');
  metrics.add('task.user_shell');
  metrics.add('multi_agent.spawn', { role: 'reviewer' });
  metrics.add('multi_agent.resume');
  metrics.add('multi_agent.nickname_pool_reset');

  // Rollout persistence (Codex samples these at 1%).
  metrics.add('rollout.persistence.append', { stage: 'pre_filter', sample_rate: '0.01' });
  metrics.record('rollout.persistence.item_bytes_v2', ms(300, 40_000), { decision: 'kept', encoding: 'rollout_item_json_v1', rollout_item_type: 'response.message', sample_rate: '0.01', stage: 'after_projection' });
  metrics.record('rollout.persistence.bytes_removed', ms(100, 3_000), { decision: 'dropped', encoding: 'rollout_item_json_v1', rollout_item_type: 'event.token_count', sample_rate: '0.01' });
  metrics.record('rollout.persistence.turn_bytes_v2', ms(4_000, 90_000), { encoding: 'rollout_item_json_v1', outcome: 'completed', sample_rate: '0.01', stage: 'after_projection' });

  // Background memory consolidation.
  metrics.add('memory.phase1', { status: 'succeeded' });
  metrics.record('memory.phase1.e2e_ms', ms(3_000, 60_000));
  metrics.add('memory.phase1.output', undefined, 2);
  metrics.record('memory.phase1.token_usage', ms(1_000, 20_000), { token_type: 'input' });
  metrics.record('memory.phase1.token_usage', ms(100, 2_000), { token_type: 'output' });
  metrics.add('memory.phase2', { status: 'succeeded' });
  metrics.record('memory.phase2.e2e_ms', ms(5_000, 120_000));
  metrics.add('memory.phase2.input', undefined, 2);
  metrics.record('memory.phase2.token_usage', ms(2_000, 40_000), { token_type: 'total' });

  // Drawn last, so the values above stay what they were before these metrics joined the registry.
  // Sent by Codex 0.160.0 to 0.169.1; the app server's CODEX_HOME sizes; the rollout sizes' names before 0.165.0.
  metrics.add('plugins.loaded_cache.event', { event: 'clear' });
  metrics.record('app_server.codex_home.size_bytes', ms(2_000_000, 900_000_000), { directory: 'sessions', compression_enabled: false });
  metrics.record('rollout.persistence.item_bytes', ms(300, 9_000), { decision: 'kept', encoding: 'rollout_item_json_v1', rollout_item_type: 'event.user_message', sample_rate: '0.01' });
  metrics.record('rollout.persistence.turn_bytes', ms(1_000, 9_000), { encoding: 'rollout_item_json_v1', outcome: 'completed', sample_rate: '0.01', stage: 'pre_filter' });
}
