// The README's first command: the demo must record every catalog metric and see it arrive.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/generated/catalog.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/verify/receiver.js';
import { closedPort } from '../faults/harness.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/codex-otel-metrics.js', import.meta.url));
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('codex-otel-metrics demo (needs `npm run build`)', () => {
  it('exports every catalog metric to the embedded receiver and prints what arrived', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'demo'], { env: CLEAN_ENV, timeout: 30_000 });
    expect(stdout).toContain('(embedded receiver)');
    expect(stdout).toContain(`${METRICS.length}/${METRICS.length} catalog metrics arrived`);
    expect(stdout).toContain('default tags on every point: yes; conformance violations: 0');
    for (const spec of METRICS) expect(stdout).toMatch(new RegExp(`codex\\.${spec.name.replace(/\./g, '\\.')}\\s+${spec.kind}\\s`));
  });

  it('exports to OTEL_EXPORTER_OTLP_METRICS_ENDPOINT with the configured protocol and starts no receiver', async () => {
    receiver = await startOtlpReceiver();
    const env = { ...CLEAN_ENV, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.metricsUrl, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' };
    const { stdout } = await run(process.execPath, [BIN, 'demo'], { env, timeout: 30_000 });
    expect(stdout).not.toContain('embedded receiver');
    expect(new Set(receiver.requests().map((r) => r.contentType))).toEqual(new Set(['application/json']));
    expect(new Set(receiver.points().map((p) => p.metric)).size).toBe(METRICS.length);
  });

  it('--genai records both families and prints the GenAI metrics too', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'demo', '--genai'], { env: CLEAN_ENV, timeout: 30_000 });
    expect(stdout).toContain(`3/3 GenAI metrics and ${METRICS.length}/${METRICS.length} catalog metrics arrived`);
    expect(stdout).toContain('conformance violations: 0');
    for (const name of ['gen_ai.client.token.usage', 'gen_ai.client.operation.duration', 'gen_ai.client.operation.time_to_first_chunk']) {
      expect(stdout).toMatch(new RegExp(`${name.replace(/\./g, '\\.')}\\s+histogram\\s`));
    }
  });

  it('--json prints the arrival table as data', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'demo', '--json'], { env: CLEAN_ENV, timeout: 30_000 });
    const data = JSON.parse(stdout) as { metrics: { points: number; defaultTags: boolean }[]; violations: unknown[] };
    expect(data.metrics).toHaveLength(METRICS.length);
    expect(data.metrics.every((m) => m.points > 0 && m.defaultTags)).toBe(true);
    expect(data.violations).toEqual([]);
  });

  it('--endpoint where nothing listens: says nothing arrived and why, exits 1', async () => {
    const port = await closedPort();
    const error = await run(process.execPath, [BIN, 'demo', '--endpoint', `http://127.0.0.1:${port}`], { env: CLEAN_ENV, timeout: 30_000 }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain(`nothing arrived: the export to http://127.0.0.1:${port}/v1/metrics failed (connection refused (ECONNREFUSED)`);
  });
});
