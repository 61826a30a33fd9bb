// The scripted sessions the real Codex CLI runs in the interop tests. Each exercises a different
// part of the emitter; together they cover what `codex exec` can produce offline.
import type { ScriptedReply } from './mock-responses-api.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly replies: readonly ScriptedReply[];
  /** WebSocket transport (the built-in provider's default) or plain HTTP. */
  readonly websocket: boolean;
  /** Built-in provider, but the mock refuses its WebSocket upgrade (Codex falls back to HTTP). */
  readonly refuseWebsocket?: boolean;
  readonly execArgs: readonly string[];
  /** Start the test MCP server (tools `echo` and `fail` in namespace `mcp__echo`). */
  readonly mcpServer?: boolean;
  readonly reviewOutcome?: 'allow' | 'deny' | 'invalid';
}

const BYPASS = ['--dangerously-bypass-approvals-and-sandbox'];
/** Sandboxed, and approvals decided by Codex's automatic reviewer (exec mode cannot ask a person). */
const AUTO_REVIEW = ['--sandbox', 'workspace-write', '-c', 'approval_policy="on-request"', '-c', 'approvals_reviewer="auto_review"'];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'plain-turn',
    description: 'one turn answered with a message over the WebSocket transport',
    replies: [{ kind: 'message', text: 'hello' }],
    websocket: true,
    execArgs: BYPASS,
  },
  {
    name: 'tool-call',
    description: 'an exec_command tool call (echo), then a message, over WebSocket',
    replies: [{ kind: 'exec_command', args: { cmd: 'echo interop' } }, { kind: 'message', text: 'ran it' }],
    websocket: true,
    execArgs: BYPASS,
  },
  {
    name: 'websocket-fallback',
    description: 'the WebSocket upgrade is refused, Codex retries, then falls back to HTTP',
    replies: [{ kind: 'message', text: 'over http' }],
    websocket: false,
    refuseWebsocket: true,
    execArgs: BYPASS,
  },
  {
    name: 'tool-failure',
    description: 'an exec_command that exits non-zero, over HTTP',
    replies: [{ kind: 'exec_command', args: { cmd: 'exit 3' } }, { kind: 'message', text: 'it failed' }],
    websocket: false,
    execArgs: BYPASS,
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
    execArgs: BYPASS,
  },
  {
    name: 'http-500-retry',
    description: 'the API answers 500, Codex retries and gets a message, over HTTP',
    replies: [{ kind: 'http_error', status: 500, message: 'scripted server error' }, { kind: 'message', text: 'after retry' }],
    websocket: false,
    execArgs: BYPASS,
  },
  {
    name: 'http-429-retry-after',
    description: 'the API answers 429 with retry-after: 1, then a message, over HTTP',
    replies: [{ kind: 'http_error', status: 429, headers: { 'retry-after': '1' }, message: 'scripted rate limit' }, { kind: 'message', text: 'after waiting' }],
    websocket: false,
    execArgs: BYPASS,
  },
  {
    name: 'approval-allowed',
    description: 'a command asking for escalated permissions, approved by the automatic reviewer',
    replies: [
      { kind: 'exec_command', args: { cmd: 'echo escalated', sandbox_permissions: 'require_escalated', justification: 'interop test' } },
      { kind: 'message', text: 'approved' },
    ],
    websocket: false,
    execArgs: AUTO_REVIEW,
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
    execArgs: AUTO_REVIEW,
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
    execArgs: AUTO_REVIEW,
    reviewOutcome: 'invalid',
  },
];
