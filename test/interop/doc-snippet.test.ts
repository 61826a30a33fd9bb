// docs/codex-cli.md: its TOML is valid and is exactly what the interop tests give the real Codex
// CLI; its shell commands are real.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Code } from 'mdast';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../src/catalog/markdown.js';
import { configToml } from './codex-cli.js';
import { CODEX_CLI_DOC, DOCUMENTED_ENDPOINT, otelSnippet, tomlBlocks } from './doc-snippet.js';

const text = readFileSync(CODEX_CLI_DOC, 'utf8');
const blocks = (lang: string) =>
  parseMarkdown(text, CODEX_CLI_DOC)
    .children.filter((n): n is Code => n.type === 'code' && n.lang === lang)
    .map((n) => n.value);

describe('docs/codex-cli.md', () => {
  it('gives one [analytics]/[otel] snippet per protocol, valid TOML, with the full /v1/metrics path', () => {
    expect(tomlBlocks()).toHaveLength(2);
    for (const protocol of ['binary', 'json']) {
      const config = parse(otelSnippet(protocol, DOCUMENTED_ENDPOINT)) as { analytics: { enabled: boolean }; otel: Record<string, unknown> };
      expect(config.analytics.enabled).toBe(true);
      expect(config.otel).toEqual({
        environment: 'dev',
        exporter: 'none',
        trace_exporter: 'none',
        metrics_exporter: { 'otlp-http': { endpoint: DOCUMENTED_ENDPOINT, protocol } },
      });
    }
  });

  it('is what the interop tests write into config.toml (only the endpoint is the receiver\'s)', () => {
    const url = 'http://127.0.0.1:54321/v1/metrics';
    for (const protocol of ['binary', 'json'] as const) {
      for (const websocket of [true, false]) {
        const written = configToml({ apiBaseUrl: 'http://127.0.0.1:1/v1', metricsUrl: url, protocol, websocket, config: ['model_auto_compact_token_limit = 5000'], mcpServer: true });
        const documented = tomlBlocks().find((b) => b.includes(`protocol = "${protocol}"`))!;
        expect(written).toContain(documented.replace(DOCUMENTED_ENDPOINT, url));
        const parsed = parse(written) as { otel: { metrics_exporter: { 'otlp-http': { endpoint: string } } }; model_auto_compact_token_limit: number };
        expect(parsed.otel.metrics_exporter['otlp-http'].endpoint).toBe(url);
        expect(parsed.model_auto_compact_token_limit).toBe(5000);
      }
    }
  });

  it('refuses a page whose snippet for a protocol is missing or names the endpoint twice', () => {
    expect(() => otelSnippet('grpc', DOCUMENTED_ENDPOINT)).toThrow('exactly one [otel] TOML block with protocol = "grpc" (found 0)');
  });

  it('its verify command runs (on a free port, stopped after a second)', () => {
    const [command] = blocks('sh').filter((b) => b.startsWith('codex-otel-metrics verify'));
    const args = command.trim().split(/\s+/).slice(1).map((a) => (a === '127.0.0.1:4318' ? '127.0.0.1:0' : a));
    const run = spawnSync(process.execPath, ['bin/codex-otel-metrics.js', ...args, '--duration', '1'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toContain('listening on http://127.0.0.1:');
    expect(run.status).toBe(0);
  });

  it('its `npm run interop` command exists and checks its arguments', () => {
    expect(blocks('sh')).toContain('npm run interop -- --codex 0.165.0');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.interop).toBe('node scripts/interop.mjs');
    const help = spawnSync(process.execPath, ['scripts/interop.mjs', '--help'], { encoding: 'utf8' });
    expect([help.status, help.stdout]).toEqual([0, expect.stringContaining('usage: npm run interop -- [--codex VERSION]')]);
    const bad = spawnSync(process.execPath, ['scripts/interop.mjs', '--codex', 'latest'], { encoding: 'utf8' });
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('--codex latest is not a release version')]);
  });
});
