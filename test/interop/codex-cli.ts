// Runs the real Codex CLI (npm `@openai/codex`, pinned) offline: a throwaway CODEX_HOME with a dummy
// API key, `openai_base_url` (or a provider) on the loopback mock, and the OTLP metrics exporter
// pointed at a loopback receiver. `codex exec` runs one turn and exports its metrics at exit.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The Codex CLI version the registry and fixtures were captured with. */
export const CODEX_VERSION = '0.171.0';
/** Where `npm run interop:install` (and `.ci/run`) put the pinned CLI. */
export const CODEX_INSTALL_DIR = resolve('.tmp/codex-cli');

export type CodexProtocol = 'json' | 'binary';

export interface CodexRunOptions {
  readonly bin: string;
  /** Mock Responses API base URL (`http://127.0.0.1:PORT/v1`). */
  readonly apiBaseUrl: string;
  /** OTLP/HTTP metrics endpoint, used verbatim by Codex. */
  readonly metricsUrl: string;
  readonly protocol: CodexProtocol;
  /** Use the WebSocket transport of the built-in provider; otherwise a provider without WebSockets (plain HTTP). */
  readonly websocket: boolean;
  readonly prompt: string;
  /** Extra `codex exec` arguments (sandbox, approval policy). */
  readonly execArgs: readonly string[];
  /** Configure the test MCP server (test/interop/mcp-echo-server.mjs) as `echo`. */
  readonly mcpServer?: boolean;
  readonly timeoutMs?: number;
}

/** The stdio MCP server Codex starts with node for MCP scenarios. */
export const MCP_ECHO_SERVER = resolve('test/interop/mcp-echo-server.mjs');

export interface CodexRunResult {
  readonly exitCode: number | null;
  /** Last part of stdout + stderr, for failure messages. */
  readonly output: string;
}

/** The pinned binary: `CODEX_CLI_BIN`, else the local install; undefined when neither exists. */
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

function configToml(options: CodexRunOptions): string {
  const exporter = `metrics_exporter = { otlp-http = { endpoint = "${options.metricsUrl}", protocol = "${options.protocol}" } }`;
  const top = options.websocket
    ? [`openai_base_url = "${options.apiBaseUrl}"`]
    : // A provider that speaks plain HTTP only, still authenticated with the logged-in API key.
      ['model_provider = "mock"'];
  const provider = options.websocket
    ? []
    : ['[model_providers.mock]', 'name = "mock"', `base_url = "${options.apiBaseUrl}"`, 'wire_api = "responses"', 'requires_openai_auth = true', 'supports_websockets = false', ''];
  const mcp = options.mcpServer ? ['[mcp_servers.echo]', `command = ${JSON.stringify(process.execPath)}`, `args = [${JSON.stringify(MCP_ECHO_SERVER)}]`, ''] : [];
  return [...top, '', ...provider, ...mcp, '[analytics]', 'enabled = true', '', '[otel]', 'exporter = "none"', 'trace_exporter = "none"', exporter, ''].join('\n');
}

export async function runCodex(options: CodexRunOptions): Promise<CodexRunResult> {
  const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
  const work = mkdtempSync(join(tmpdir(), 'codex-work-'));
  // Nothing of the machine's own Codex or OpenAI set-up may leak in (and no real key is ever used).
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, CODEX_HOME: home, LANG: 'C.UTF-8', TERM: 'dumb' };
  try {
    writeFileSync(join(home, 'config.toml'), configToml(options));
    const login = spawnSync(options.bin, ['login', '--with-api-key'], { env, input: 'sk-dummy-offline-test-key', encoding: 'utf8', timeout: 30_000 });
    if (login.status !== 0) return { exitCode: login.status, output: `codex login failed:\n${login.stdout}${login.stderr}` };
    return await new Promise<CodexRunResult>((done) => {
      const child = spawn(options.bin, ['exec', '--skip-git-repo-check', ...options.execArgs, options.prompt], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        done({ exitCode, output });
      });
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
