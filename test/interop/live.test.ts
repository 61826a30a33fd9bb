// The real Codex CLI, run offline against the loopback mock, exporting to this package's receiver
// in both OTLP protocols. Every export must pass `verify` against the registry with no violation.
// CODEX_INTEROP_CAPTURE=1 (npm run interop:capture) also rewrites the committed fixtures.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAGS, METRICS } from '../../src/generated/catalog.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import { CODEX_VERSION, findCodexCli, runCodex, type CodexProtocol } from './codex-cli.js';
import { writeFixtures, type CapturedExport } from './fixtures.js';
import { startMockResponsesApi } from './mock-responses-api.js';
import { SCENARIOS } from './scenarios.js';

const cli = findCodexCli();
const required = process.env.CODEX_INTEROP_REQUIRED === '1';
const capture = process.env.CODEX_INTEROP_CAPTURE === '1';
const PROTOCOLS: readonly CodexProtocol[] = ['json', 'binary'];
const CONTENT_TYPE: Record<CodexProtocol, string> = { json: 'application/json', binary: 'application/x-protobuf' };

describe('real Codex CLI (live)', () => {
  it('is installed at the pinned version', (ctx) => {
    if (!cli) {
      const reason = `Codex CLI ${CODEX_VERSION} not installed: run \`npm run interop:install\` to run the live interop tests (the fixture tests still run)`;
      if (required) throw new Error(reason);
      // Said plainly in the output, never a silent pass.
      console.warn(`SKIPPED: ${reason}`);
      ctx.skip(reason);
    }
    expect(cli!.version).toBe(CODEX_VERSION);
  });

  const captured: CapturedExport[] = [];
  for (const scenario of SCENARIOS) {
    for (const protocol of PROTOCOLS) {
      it.skipIf(!cli)(`${scenario.name} (${protocol}): ${scenario.description}; verify finds no violation`, async () => {
        const bodies: Buffer[] = [];
        const receiver = await startOtlpReceiver({
          respond: (request) => {
            bodies.push(request.body);
            return undefined;
          },
        });
        const api = await startMockResponsesApi({ replies: scenario.replies, websocket: scenario.websocket, reviewOutcome: scenario.reviewOutcome });
        try {
          const run = await runCodex({
            bin: cli!.bin,
            apiBaseUrl: api.baseUrl,
            metricsUrl: receiver.metricsUrl,
            protocol,
            websocket: scenario.websocket || scenario.refuseWebsocket === true,
            prompt: `interop scenario ${scenario.name}`,
            execArgs: scenario.execArgs,
            mcpServer: scenario.mcpServer,
          });
          expect(run.exitCode, `codex exec failed:\n${run.output}\nrequests: ${api.requests().join(', ')}`).toBe(0);
          for (const body of bodies) captured.push({ scenario: scenario.name, protocol, contentType: CONTENT_TYPE[protocol], body });
          const points = receiver.points();
          expect(receiver.errors(), 'malformed exports').toEqual([]);
          expect(new Set(points.map((p) => p.metric)).size, `too few metrics arrived:\n${run.output}`).toBeGreaterThan(30);
          expect(points.every((p) => p.contentType === CONTENT_TYPE[protocol])).toBe(true);
          const checker = createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS });
          checker.check(points);
          const report = checker.report();
          expect(report.violations.map((v) => `${v.code}: ${v.message}`)).toEqual([]);
        } finally {
          await api.close();
          await receiver.close();
        }
      }, 120_000);
    }
  }

  it.skipIf(!capture || !cli)('writes the captured exports as fixtures', () => {
    expect(captured.length).toBeGreaterThanOrEqual(SCENARIOS.length * PROTOCOLS.length);
    writeFixtures(captured);
  });
});
