// The scripted sessions the real Codex CLI runs in the interop tests. Each exercises a different
// part of the emitter; together they cover what `codex exec` can produce offline.
import type { CodexStep } from './codex-cli.js';
import type { ScriptedReply } from './mock-responses-api.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly replies: readonly ScriptedReply[];
  /** WebSocket transport (the built-in provider's default) or plain HTTP. */
  readonly websocket: boolean;
  /** Built-in provider, but the mock refuses its WebSocket upgrade (Codex falls back to HTTP). */
  readonly refuseWebsocket?: boolean;
  /** The Codex processes, in order, sharing CODEX_HOME (one `codex exec` unless said otherwise). */
  readonly steps: readonly CodexStep[];
  /** Extra top-level config.toml lines. */
  readonly config?: readonly string[];
  /** Start the test MCP server (tools `echo` and `fail` in namespace `mcp__echo`). */
  readonly mcpServer?: boolean;
  /** Run in a Git repository with an uncommitted change. */
  readonly gitRepo?: boolean;
  readonly reviewOutcome?: 'allow' | 'deny' | 'invalid';
}

const BYPASS = ['--dangerously-bypass-approvals-and-sandbox'];
/** Sandboxed, and approvals decided by Codex's automatic reviewer (exec mode cannot ask a person). */
const AUTO_REVIEW = ['--sandbox', 'workspace-write', '-c', 'approval_policy="on-request"', '-c', 'approvals_reviewer="auto_review"'];
/** One `codex exec` with these arguments and a prompt naming the scenario. */
const exec = (name: string, args: readonly string[] = BYPASS): CodexStep[] => [{ kind: 'exec', args: [...args, `interop scenario ${name}`] }];
/** A patch that adds a file: `apply_patch` is a freeform tool whose input is the raw patch text. */
const PATCH = '*** Begin Patch\n*** Add File: notes.txt\n+written by apply_patch\n*** End Patch\n';
/** Far above the auto-compaction limit the compaction scenarios configure. */
const HUGE_CONTEXT = 200_000;
const AUTO_COMPACT = ['model_auto_compact_token_limit = 5000'];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'plain-turn',
    description: 'one turn answered with a message over the WebSocket transport',
    replies: [{ kind: 'message', text: 'hello' }],
    websocket: true,
    steps: exec('plain-turn'),
  },
  {
    name: 'tool-call',
    description: 'an exec_command tool call (echo), then a message, over WebSocket',
    replies: [{ kind: 'exec_command', args: { cmd: 'echo interop' } }, { kind: 'message', text: 'ran it' }],
    websocket: true,
    steps: exec('tool-call'),
  },
  {
    name: 'websocket-fallback',
    description: 'the WebSocket upgrade is refused, Codex retries, then falls back to HTTP',
    replies: [{ kind: 'message', text: 'over http' }],
    websocket: false,
    refuseWebsocket: true,
    steps: exec('websocket-fallback'),
  },
  {
    name: 'tool-failure',
    description: 'an exec_command that exits non-zero, over HTTP',
    replies: [{ kind: 'exec_command', args: { cmd: 'exit 3' } }, { kind: 'message', text: 'it failed' }],
    websocket: false,
    steps: exec('tool-failure'),
  },
  {
    name: 'mcp-tool-calls',
    description: 'an MCP server on stdio: one successful tool call and one that returns an error, over HTTP',
    replies: [
      { kind: 'tool_call', namespace: 'mcp__echo', name: 'echo', args: { text: 'interop' } },
      { kind: 'tool_call', namespace: 'mcp__echo', name: 'fail', args: {} },
      { kind: 'message', text: 'used the tools' },
    ],
    websocket: false,
    mcpServer: true,
    steps: exec('mcp-tool-calls'),
  },
  {
    name: 'http-500-retry',
    description: 'the API answers 500, Codex retries and gets a message, over HTTP',
    replies: [{ kind: 'http_error', status: 500, message: 'scripted server error' }, { kind: 'message', text: 'after retry' }],
    websocket: false,
    steps: exec('http-500-retry'),
  },
  {
    name: 'http-429-retry-after',
    description: 'the API answers 429 with retry-after: 1, then a message, over HTTP',
    replies: [{ kind: 'http_error', status: 429, headers: { 'retry-after': '1' }, message: 'scripted rate limit' }, { kind: 'message', text: 'after waiting' }],
    websocket: false,
    steps: exec('http-429-retry-after'),
  },
  {
    name: 'approval-allowed',
    description: 'a command asking for escalated permissions, approved by the automatic reviewer',
    replies: [
      { kind: 'exec_command', args: { cmd: 'echo escalated', sandbox_permissions: 'require_escalated', justification: 'interop test' } },
      { kind: 'message', text: 'approved' },
    ],
    websocket: false,
    steps: exec('approval-allowed', AUTO_REVIEW),
    reviewOutcome: 'allow',
  },
  {
    name: 'approval-denied',
    description: 'a command asking for escalated permissions, denied by the automatic reviewer',
    replies: [
      { kind: 'exec_command', args: { cmd: 'echo escalated', sandbox_permissions: 'require_escalated', justification: 'interop test' } },
      { kind: 'message', text: 'denied' },
    ],
    websocket: false,
    steps: exec('approval-denied', AUTO_REVIEW),
    reviewOutcome: 'deny',
  },
  {
    name: 'approval-review-error',
    description: 'the automatic reviewer answers without a verdict: Codex retries the review, then denies',
    replies: [
      { kind: 'exec_command', args: { cmd: 'echo escalated', sandbox_permissions: 'require_escalated', justification: 'interop test' } },
      { kind: 'message', text: 'review failed' },
    ],
    websocket: false,
    steps: exec('approval-review-error', AUTO_REVIEW),
    reviewOutcome: 'invalid',
  },
  {
    name: 'apply-patch-local-compaction',
    description: 'apply_patch as a freeform tool call with the raw patch as input; its response overflows the context, so Codex compacts locally (a summary request), then answers, over HTTP',
    replies: [{ kind: 'custom_tool_call', name: 'apply_patch', input: PATCH, inputTokens: HUGE_CONTEXT }, { kind: 'message', text: 'patched after compacting' }],
    websocket: false,
    config: AUTO_COMPACT,
    steps: exec('apply-patch-local-compaction'),
  },
  {
    name: 'apply-patch-remote-compaction',
    description: 'the same patch over WebSocket with the built-in provider, which compacts remotely (a compaction_trigger request answered by a compaction item)',
    replies: [{ kind: 'custom_tool_call', name: 'apply_patch', input: PATCH, inputTokens: HUGE_CONTEXT }, { kind: 'message', text: 'patched after compacting' }],
    websocket: true,
    config: AUTO_COMPACT,
    steps: exec('apply-patch-remote-compaction'),
  },
  {
    name: 'cut-stream',
    description: 'the SSE stream breaks after response.created and one item (the connection drops mid-body), Codex retries and gets a message, over HTTP',
    replies: [{ kind: 'cut_stream', text: 'partial answer' }, { kind: 'message', text: 'after the cut' }],
    websocket: false,
    steps: exec('cut-stream'),
  },
  {
    name: 'exec-resume',
    description: 'a turn, then `codex exec resume --last` continues that session with a second turn (two processes, two exports)',
    replies: [{ kind: 'message', text: 'first turn' }, { kind: 'message', text: 'resumed turn' }],
    websocket: false,
    steps: [...exec('exec-resume'), { kind: 'exec', args: ['resume', '--last', ...BYPASS, 'interop scenario exec-resume, resumed'] }],
  },
  {
    name: 'app-server',
    description: 'an IDE client (`codex_vscode`) drives `codex app-server` over JSON-RPC on stdio: initialize, thread/start, one turn with a tool call',
    replies: [{ kind: 'exec_command', args: { cmd: 'echo from the app server' } }, { kind: 'message', text: 'done in the IDE' }],
    websocket: false,
    steps: [{ kind: 'app-server', clientName: 'codex_vscode', prompt: 'interop scenario app-server' }],
  },
  {
    name: 'exec-review',
    description: '`codex exec review --uncommitted` in a Git repository with an uncommitted change (a review sub-agent turn)',
    replies: [{ kind: 'message', text: JSON.stringify({ findings: [], overall_correctness: 'patch is correct', overall_explanation: 'scripted review', overall_confidence_score: 0.9 }) }],
    websocket: false,
    gitRepo: true,
    steps: [{ kind: 'exec', args: ['review', '--uncommitted', ...BYPASS] }],
  },
  {
    name: 'other-model-json',
    description: 'another model of the catalog (`-m gpt-5.5`) with `--json` (events as JSON lines on stdout), a tool call over WebSocket',
    replies: [{ kind: 'exec_command', args: { cmd: 'echo other model' } }, { kind: 'message', text: 'answered by another model' }],
    websocket: true,
    steps: exec('other-model-json', [...BYPASS, '--json', '-m', 'gpt-5.5']),
  },
];
