// What the Codex CLI itself can contribute to fleet identity, checked on the real binary (offline,
// loopback only): it reads OTEL_RESOURCE_ATTRIBUTES (a service.instance.id and a team arrive on its
// resource; service.name stays the originator), and its [otel] exporter sends the `headers` of its
// config, which the Collector recipe reads (x-codex-team). docs/fleet.md quotes this.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import { CODEX_VERSION, findCodexCli } from '../interop/codex-cli.js';
import { startMockResponsesApi } from '../interop/mock-responses-api.js';

const cli = findCodexCli();
const required = process.env.CODEX_INTEROP_REQUIRED === '1';

describe('Codex CLI resource and headers (live)', () => {
  it('reads OTEL_RESOURCE_ATTRIBUTES and sends its [otel] exporter headers', async (ctx) => {
    if (!cli) {
      const reason = `Codex CLI ${CODEX_VERSION} not installed (npm run interop:install)`;
      if (required) throw new Error(reason);
      console.warn(`SKIPPED: ${reason}`);
      return ctx.skip(reason);
    }
    const headers: Record<string, unknown>[] = [];
    const receiver = await startOtlpReceiver({ respond: (r) => void headers.push(r.headers) });
    const api = await startMockResponsesApi({ replies: [{ kind: 'message', text: 'hi' }], websocket: true });
    const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
    const work = mkdtempSync(join(tmpdir(), 'codex-work-'));
    try {
      const exporter = `metrics_exporter = { otlp-http = { endpoint = "${receiver.metricsUrl}", protocol = "json", headers = { "x-codex-team" = "platform" } } }`;
      writeFileSync(join(home, 'config.toml'), [`openai_base_url = "${api.baseUrl}"`, '', '[analytics]', 'enabled = true', '', '[otel]', 'exporter = "none"', 'trace_exporter = "none"', exporter, ''].join('\n'));
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        CODEX_HOME: home,
        LANG: 'C.UTF-8',
        TERM: 'dumb',
        OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=dev-laptop-7,team=platform,user.id=alice',
        OTEL_SERVICE_NAME: 'not-used-by-codex',
      };
      const login = spawnSync(cli.bin, ['login', '--with-api-key'], { env, input: 'sk-dummy-offline-test-key', encoding: 'utf8', timeout: 30_000 });
      expect(login.status, login.stderr).toBe(0);
      const output = await new Promise<string>((resolve) => {
        const child = spawn(cli.bin, ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', 'fleet identity'], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
        child.stderr.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
        const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
        child.on('close', () => {
          clearTimeout(timer);
          resolve(out);
        });
      });
      const points = receiver.points();
      expect(points.length, output).toBeGreaterThan(30);
      expect(new Set(points.map((p) => JSON.stringify(p.resource))).size).toBe(1);
      expect(points[0].resource).toMatchObject({ 'service.instance.id': 'dev-laptop-7', team: 'platform', 'user.id': 'alice', 'service.name': 'codex_exec' });
      expect(headers.length).toBeGreaterThan(0);
      expect(headers.every((h) => h['x-codex-team'] === 'platform')).toBe(true);
    } finally {
      await api.close();
      await receiver.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
