// The real Codex CLI, run offline against the loopback mock, exporting to this package's receiver
// in both OTLP protocols with the configuration of docs/codex-cli.md. At the pinned version every
// export must pass `verify` against the registry with no violation.
//
// `npm run interop -- --codex X` (scripts/interop.mjs) runs the same scenarios against another
// version (CODEX_INTEROP_VERSION + CODEX_CLI_BIN): violations are then collected instead of failing,
// and CODEX_INTEROP_REPORT receives what that version adds or drops versus the docs.
// CODEX_INTEROP_CAPTURE=1 (npm run interop:capture, or --capture) rewrites that version's fixtures.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CODEX_VERSIONS, DEFAULT_TAGS, METRICS, RETIRED_METRICS } from '../../src/generated/catalog.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import { CODEX_VERSION, findCodexCli, PINNED_CODEX_VERSION, runCodex, type CodexProtocol } from './codex-cli.js';
import { writeFixtures, type CapturedExport } from './fixtures.js';
import { startMockResponsesApi } from './mock-responses-api.js';
import { SCENARIOS } from './scenarios.js';
import { versionReport } from './version-diff.js';

const cli = findCodexCli();
const required = process.env.CODEX_INTEROP_REQUIRED === '1';
const capture = process.env.CODEX_INTEROP_CAPTURE === '1';
const reportFile = process.env.CODEX_INTEROP_REPORT;
/** Another version than the pinned one: report what differs from the docs instead of failing on it. */
const surveying = CODEX_VERSION !== PINNED_CODEX_VERSION;
const only = process.env.CODEX_INTEROP_SCENARIOS?.split(',').filter(Boolean);
const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
const PROTOCOLS: readonly CodexProtocol[] = ['json', 'binary'];
const CONTENT_TYPE: Record<CodexProtocol, string> = { json: 'application/json', binary: 'application/x-protobuf' };

describe(`real Codex CLI ${CODEX_VERSION} (live)`, () => {
  const captured: CapturedExport[] = [];
  const points: { scenario: string; points: ReceivedPoint[] }[] = [];
  const failed: Record<string, string> = {};

  it('is installed at the version under test', (ctx) => {
    if (!cli) {
      const reason = `Codex CLI ${CODEX_VERSION} not installed: run \`npm run interop:install\` to run the live interop tests (the fixture tests still run)`;
      if (required) throw new Error(reason);
      // Said plainly in the output, never a silent pass.
      console.warn(`SKIPPED: ${reason}`);
      ctx.skip(reason);
    }
    expect(cli!.version).toBe(CODEX_VERSION);
  });

  for (const scenario of scenarios) {
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
            steps: scenario.steps,
            config: scenario.config,
            mcpServer: scenario.mcpServer,
            gitRepo: scenario.gitRepo,
          });
          if (run.exitCode !== 0) failed[scenario.name] = `exit ${run.exitCode}: ${run.output.slice(-400)}`;
          expect(run.exitCode, `codex failed:\n${run.output}\nrequests: ${api.requests().join('\n')}`).toBe(0);
          for (const body of bodies) captured.push({ scenario: scenario.name, protocol, contentType: CONTENT_TYPE[protocol], body });
          const received = receiver.points();
          points.push({ scenario: scenario.name, points: received });
          expect(receiver.errors(), 'malformed exports').toEqual([]);
          expect(bodies.length, 'at least one export per Codex process').toBeGreaterThanOrEqual(scenario.steps.length);
          expect(new Set(received.map((p) => p.metric)).size, `too few metrics arrived:\n${run.output}`).toBeGreaterThan(30);
          expect(received.every((p) => p.contentType === CONTENT_TYPE[protocol])).toBe(true);
          if (surveying) return; // differences are the report's business
          const checker = createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS, retired: RETIRED_METRICS });
          checker.check(received);
          expect(checker.report().violations.map((v) => `${v.code}: ${v.message}`)).toEqual([]);
        } finally {
          await api.close();
          await receiver.close();
        }
      }, 120_000);
    }
  }

  it.skipIf(!capture || !cli)('writes the captured exports as fixtures', () => {
    expect(captured.length).toBeGreaterThanOrEqual(Object.keys(failed).length === 0 ? scenarios.length * PROTOCOLS.length : 1);
    writeFixtures(CODEX_VERSION, captured, failed);
  });

  afterAll(() => {
    if (!reportFile || !cli) return;
    const report = versionReport(CODEX_VERSION, points, METRICS, { defaultTags: DEFAULT_TAGS, retired: RETIRED_METRICS, covered: CODEX_VERSIONS });
    writeFileSync(reportFile, `${JSON.stringify({ ...report, failedScenarios: failed }, null, 2)}\n`);
  });
});
