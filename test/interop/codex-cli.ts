// Runs the real Codex CLI (npm `@openai/codex`, pinned) offline: a throwaway CODEX_HOME with a dummy
// API key, `openai_base_url` (or a provider) on the loopback mock, and the OTLP metrics exporter
// configured with the snippet of docs/codex-cli.md, pointed at a loopback receiver. Each step
// (`codex exec …`, or a JSON-RPC session with `codex app-server`) exports its metrics at exit.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAppServerTurn } from './app-server-client.js';
import { otelSnippet } from './doc-snippet.js';

/** The Codex CLI version the registry and fixtures were captured with, and CI runs live. */
export const PINNED_CODEX_VERSION = '0.171.0';
/** The version under test: CODEX_INTEROP_VERSION (`npm run interop -- --codex X`), else the pinned one. */
export const CODEX_VERSION = process.env.CODEX_INTEROP_VERSION || PINNED_CODEX_VERSION;
/** Where `npm run interop:install` (and `.ci/run`) put the pinned CLI. */
export const CODEX_INSTALL_DIR = resolve('.tmp/codex-cli');

export type CodexProtocol = 'json' | 'binary';

/** One Codex process of a scenario: all steps share CODEX_HOME and the working directory. */
export type CodexStep =
  /** `codex exec --skip-git-repo-check ARGS` (the prompt is the last argument). */
  | { readonly kind: 'exec'; readonly args: readonly string[] }
  /** `codex app-server` over stdio: initialize as `clientName`, start a thread, run one turn. */
  | { readonly kind: 'app-server'; readonly clientName: string; readonly prompt: string };

export interface CodexRunOptions {
  readonly bin: string;
  /** Mock Responses API base URL (`http://127.0.0.1:PORT/v1`). */
  readonly apiBaseUrl: string;
  /** OTLP/HTTP metrics endpoint, used verbatim by Codex. */
  readonly metricsUrl: string;
  readonly protocol: CodexProtocol;
  /** Use the WebSocket transport of the built-in provider; otherwise a provider without WebSockets (plain HTTP). */
  readonly websocket: boolean;
  readonly steps: readonly CodexStep[];
  /** Extra top-level config.toml lines (e.g. `model_auto_compact_token_limit = 5000`). */
  readonly config?: readonly string[];
  /** Configure the test MCP server (test/interop/mcp-echo-server.mjs) as `echo`. */
  readonly mcpServer?: boolean;
  /** Make the working directory a Git repository with one commit and one uncommitted change. */
  readonly gitRepo?: boolean;
  readonly timeoutMs?: number;
}

/** The stdio MCP server Codex starts with node for MCP scenarios. */
export const MCP_ECHO_SERVER = resolve('test/interop/mcp-echo-server.mjs');

export interface CodexRunResult {
  /** Exit code of the first step that failed, else of the last step. */
  readonly exitCode: number | null;
  /** Last part of stdout + stderr of every step, for failure messages. */
  readonly output: string;
}

/** The binary: `CODEX_CLI_BIN`, else the local install; undefined when neither exists. */
export function findCodexCli(): { bin: string; version: string } | undefined {
  const candidates = [process.env.CODEX_CLI_BIN, join(CODEX_INSTALL_DIR, 'node_modules', '.bin', 'codex')];
  for (const bin of candidates) {
    if (!bin || !existsSync(bin)) continue;
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000 });
    const version = /(\d+\.\d+\.\d+)/.exec(probe.stdout ?? '')?.[1];
    if (probe.status === 0 && version) return { bin, version };
  }
  return undefined;
}

/** config.toml: the provider set-up of the scenario, then the documented [analytics]/[otel] snippet. */
export function configToml(options: Pick<CodexRunOptions, 'apiBaseUrl' | 'metricsUrl' | 'protocol' | 'websocket' | 'config' | 'mcpServer'>): string {
  const top = options.websocket
    ? [`openai_base_url = "${options.apiBaseUrl}"`]
    : // A provider that speaks plain HTTP only, still authenticated with the logged-in API key.
      ['model_provider = "mock"'];
  const provider = options.websocket
    ? []
    : ['[model_providers.mock]', 'name = "mock"', `base_url = "${options.apiBaseUrl}"`, 'wire_api = "responses"', 'requires_openai_auth = true', 'supports_websockets = false', ''];
  const mcp = options.mcpServer ? ['[mcp_servers.echo]', `command = ${JSON.stringify(process.execPath)}`, `args = [${JSON.stringify(MCP_ECHO_SERVER)}]`, ''] : [];
  return [...top, ...(options.config ?? []), '', ...provider, ...mcp, otelSnippet(options.protocol, options.metricsUrl)].join('\n');
}

export async function runCodex(options: CodexRunOptions): Promise<CodexRunResult> {
  const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
  const work = mkdtempSync(join(tmpdir(), 'codex-work-'));
  // Nothing of the machine's own Codex or OpenAI set-up may leak in (and no real key is ever used).
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, CODEX_HOME: home, LANG: 'C.UTF-8', TERM: 'dumb' };
  const timeoutMs = options.timeoutMs ?? 90_000;
  let output = '';
  try {
    writeFileSync(join(home, 'config.toml'), configToml(options));
    if (options.gitRepo) {
      const problem = makeGitRepo(work, env);
      if (problem) return { exitCode: 1, output: problem };
    }
    const login = spawnSync(options.bin, ['login', '--with-api-key'], { env, input: 'sk-dummy-offline-test-key', encoding: 'utf8', timeout: 30_000 });
    if (login.status !== 0) return { exitCode: login.status, output: `codex login failed:\n${login.stdout}${login.stderr}` };
    let exitCode: number | null = 0;
    for (const step of options.steps) {
      const result =
        step.kind === 'exec'
          ? await runProcess(options.bin, ['exec', '--skip-git-repo-check', ...step.args], env, work, timeoutMs)
          : await runAppServerTurn({ bin: options.bin, env, cwd: work, clientName: step.clientName, prompt: step.prompt, timeoutMs });
      output = `${output}\n$ codex ${step.kind === 'exec' ? `exec ${step.args.join(' ')}` : `app-server (${step.clientName})`}\n${result.output}`.slice(-12_000);
      exitCode = result.exitCode;
      if (exitCode !== 0) break;
    }
    return { exitCode, output };
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

function runProcess(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<CodexRunResult> {
  return new Promise<CodexRunResult>((done) => {
    const child = spawn(bin, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      done({ exitCode, output });
    });
  });
}

/** A repository with one commit and an uncommitted edit, for `codex exec review --uncommitted`. */
function makeGitRepo(dir: string, env: NodeJS.ProcessEnv): string | undefined {
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=interop', '-c', 'user.email=interop@example.invalid', ...args], { cwd: dir, env, encoding: 'utf8' });
  writeFileSync(join(dir, 'greet.js'), 'export const greet = (name) => `hello ${name}`;\n');
  for (const args of [['init', '-q'], ['add', '.'], ['commit', '-q', '-m', 'initial']]) {
    const r = git(...args);
    if (r.status !== 0) return `git ${args.join(' ')} failed: ${r.stderr}`;
  }
  writeFileSync(join(dir, 'greet.js'), 'export const greet = (name) => `hello ${name.toUpperCase()}`;\n');
  return undefined;
}
