// `demo`: a simulated agent session exported over real OTLP/HTTP. With no endpoint configured it
// exports to an embedded loopback receiver (the `verify` receiver) and prints what arrived.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TAG_KEYS } from '../catalog/spec.js';
import { runDemoWorkload } from '../demo/workload.js';
import { describeConfig, type OtlpProtocol } from '../export/config.js';
import { maskUrl } from '../export/mask.js';
import type { ExportStats } from '../export/export-failures.js';
// The CLI loads the SDK anyway: static imports (the root's run-time loader stays in the root's file).
import '../export/static-sdk-modules.js';
import { startCodexMetrics, type CodexMetricsSession } from '../export/start.js';
import { DEFAULT_TAGS, METRICS, RETIRED_METRICS, type DefaultTags } from '../generated/catalog.js';
import { GENAI_METRICS } from '../genai/conventions.js';
import { createConformanceChecker } from '../verify/checker.js';
import { encodeExportFile, type RequestBody } from '../verify/export-file-writer.js';
import type { ReceivedPoint } from '../verify/points.js';
import { DEFAULT_MAX_BODY_BYTES, METRICS_PATH, startOtlpReceiver, type OtlpReceiver } from '../verify/receiver.js';
import { decompressBody } from '../verify/request-body.js';
import { UsageError, type CliCommand } from './usage.js';

export const DEMO_DEFAULTS: DefaultTags = {
  auth_mode: 'ApiKey',
  originator: 'codex_cli_rs',
  session_source: 'cli',
  model: 'gpt-5.1-codex',
  'app.version': '0.171.0',
};

export const DEMO_USAGE = `usage: codex-otel-metrics demo [--endpoint URL] [--protocol http/protobuf|http/json] [--turns N] [--json] [--save FILE] [--genai]

Runs a simulated agent session that records every catalog metric and exports it over OTLP/HTTP.
Without an endpoint (option or OTEL_EXPORTER_OTLP_[METRICS_]ENDPOINT) it exports to an embedded
loopback receiver and prints what arrived. Exits 1 when nothing arrived (or, with the embedded
receiver, when any metric is missing or violates the catalog).

  --endpoint URL     OTLP/HTTP base URL of a collector, e.g. http://127.0.0.1:4318
  --protocol P       http/protobuf (default) or http/json
  --turns N          simulated turns (default 3, at most 1000)
  --json             print the arrival table as JSON on stdout
  --genai            also record the OpenTelemetry GenAI metrics (gen_ai.client.token.usage,
                     gen_ai.client.operation.duration, …) from the same calls (docs/genai.md)
  --save FILE        write the OTLP request bodies the embedded receiver got to FILE, for
                     \`verify --file FILE\`: JSON lines (--save makes http/json the default protocol),
                     or length-delimited frames with --protocol http/protobuf
`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string' },
      protocol: { type: 'string' },
      turns: { type: 'string' },
      json: { type: 'boolean' },
      save: { type: 'string' },
      genai: { type: 'boolean' },
    },
    strict: true,
  });
  const env = process.env;
  const external = values.endpoint ?? env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // Saved exports are JSON lines unless protobuf is asked for.
  const protocol = (values.protocol ?? (values.save !== undefined ? 'http/json' : undefined)) as OtlpProtocol | undefined;
  if (protocol !== undefined && protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new UsageError('--protocol must be http/protobuf or http/json');
  }
  if (values.save !== undefined && (external || values.save === '')) {
    throw new UsageError(external ? '--save keeps what the embedded receiver got; it cannot be used with an endpoint' : '--save needs a file name');
  }
  // The raw bodies, as sent (the receiver decodes them too); bounded by the demo's own few exports.
  const sent: { contentType: string; contentEncoding: string; body: Buffer }[] = [];
  let receiver: OtlpReceiver | undefined;
  if (!external) {
    receiver = await startOtlpReceiver({
      respond: (request) => {
        if (values.save !== undefined && request.method === 'POST' && request.path === METRICS_PATH) {
          sent.push({ contentType: String(request.headers['content-type'] ?? ''), contentEncoding: String(request.headers['content-encoding'] ?? ''), body: request.body });
        }
        return undefined;
      },
    });
  }
  try {
    const session = startCodexMetrics({
      defaults: DEMO_DEFAULTS,
      ...(receiver ? { endpoint: receiver.url } : values.endpoint ? { endpoint: values.endpoint } : {}),
      ...(protocol ? { protocol } : {}),
      exportIntervalMillis: 60_000,
      exportTimeoutMillis: 5_000,
      strict: true,
      ...(values.genai ? { genAi: true } : {}),
    });
    // With --json, stdout is only the JSON document; progress lines go to stderr.
    const say = (line: string) => (values.json ? process.stderr : process.stdout).write(line);
    say(`exporting ${describeConfig(session.config)}${receiver ? ' (embedded receiver)' : ''}\n`);
    const turns = values.turns ? Number(values.turns) : 3;
    runDemoWorkload(session.metrics, { turns: Number.isInteger(turns) && turns > 0 ? Math.min(turns, 1000) : 3 });
    await session.shutdown(); // exports once, then stops
    if (!receiver) {
      // Only the collector knows what it kept; what the demo can tell is whether it accepted the export.
      // A retried export (connection refused is retried with backoff) may end just after shutdown's deadline.
      const stats = await settledExportStats(session, 2_000);
      if (stats.succeeded === 0) {
        const why = stats.lastFailure ? stats.lastFailure.message : `no answer within ${session.config.timeoutMillis} ms`;
        process.stderr.write(`nothing arrived: the export to ${maskUrl(session.config.url)} failed (${why})\n`);
        return 1;
      }
      say(`recorded all ${METRICS.length} catalog metrics; the collector at ${maskUrl(session.config.url)} accepted the export\n`);
      return 0;
    }
    const points = receiver.points();
    if (points.length === 0) {
      const stats = session.exportStats();
      process.stderr.write(`nothing arrived at the embedded receiver${stats.lastFailure ? ` (${stats.lastFailure.message})` : ''}\n`);
      return 1;
    }
    const saved = values.save !== undefined ? await saveExports(values.save, sent) : undefined;
    if (saved === false) return 1;
    const expected = values.genai ? [...METRICS.map((spec) => ({ spec, wire: `codex.${spec.name}` })), ...GENAI_METRICS.map((spec) => ({ spec, wire: spec.name }))] : undefined;
    const summary = summarize(points, expected);
    const checker = createConformanceChecker({ specs: METRICS, conventionSpecs: GENAI_METRICS, defaultTags: DEFAULT_TAGS, retired: RETIRED_METRICS });
    checker.check(points);
    const report = checker.report();
    if (values.json) process.stdout.write(`${JSON.stringify({ metrics: summary.rows, violations: report.violations }, null, 2)}\n`);
    else printTable(summary.rows);
    const arrivedOf = (rows: readonly Row[]) => rows.filter((r) => r.points > 0).length;
    const catalogRows = summary.rows.filter((r) => r.metric.startsWith('codex.'));
    const genAiRows = summary.rows.filter((r) => !r.metric.startsWith('codex.'));
    const arrived = arrivedOf(catalogRows);
    const tagged = summary.rows.every((r) => r.points === 0 || r.defaultTags);
    const genAiLine = values.genai ? `${arrivedOf(genAiRows)}/${GENAI_METRICS.length} GenAI metrics and ` : '';
    say(
      `\n${genAiLine}${arrived}/${METRICS.length} catalog metrics arrived in ${receiver.requests().length} OTLP request(s), ${points.length} data points; ` +
        `default tags on every point: ${tagged ? 'yes' : 'NO'}; conformance violations: ${report.violations.length}\n`,
    );
    if (saved) say(saved);
    return arrived === METRICS.length && arrivedOf(genAiRows) === genAiRows.length && tagged && report.violations.length === 0 ? 0 : 1;
  } finally {
    await receiver?.close();
  }
}

/** Writes the bodies for `verify --file` and returns the line saying so; false (with the reason on stderr) when they cannot be written. */
async function saveExports(file: string, sent: readonly { contentType: string; contentEncoding: string; body: Buffer }[]): Promise<string | false> {
  try {
    const bodies: RequestBody[] = [];
    for (const s of sent) bodies.push({ contentType: s.contentType, body: await decompressBody({ contentEncoding: s.contentEncoding, body: s.body, maxBytes: DEFAULT_MAX_BODY_BYTES }) });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, encodeExportFile(bodies));
  } catch (err) {
    process.stderr.write(`cannot save the exports to ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
  const format = sent.some((s) => s.contentType.includes('json')) ? 'JSON lines' : 'length-delimited protobuf';
  return `saved ${sent.length} export(s) to ${file} (${format}); check them with: codex-otel-metrics verify --file ${file} --require all\n`;
}

/** exportStats() once an export succeeded or failed, or after waiting `ms` for one to. */
async function settledExportStats(session: CodexMetricsSession, ms: number): Promise<ExportStats> {
  const deadline = Date.now() + ms;
  let stats = session.exportStats();
  while (stats.succeeded + stats.failed === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    stats = session.exportStats();
  }
  return stats;
}

interface Row {
  metric: string;
  kind: string;
  unit: string;
  points: number;
  defaultTags: boolean;
}

/** The arrival of each expected metric (default: the catalog's, under the codex. prefix). */
function summarize(points: readonly ReceivedPoint[], expected = METRICS.map((spec) => ({ spec, wire: `codex.${spec.name}` }))): { rows: Row[] } {
  const rows = expected.map(({ spec, wire }) => {
    const mine = points.filter((p) => p.metric === wire);
    return {
      metric: wire,
      kind: mine[0]?.kind ?? spec.kind,
      unit: mine[0]?.unit ?? spec.unit,
      points: mine.length,
      defaultTags: mine.length > 0 && mine.every((p) => DEFAULT_TAG_KEYS.every((k) => typeof p.attributes[k] === 'string')),
    };
  });
  return { rows };
}

function printTable(rows: readonly Row[]): void {
  const width = Math.max(...rows.map((r) => r.metric.length));
  const unitWidth = Math.max(4, ...rows.map((r) => r.unit.length));
  process.stdout.write(`${'metric'.padEnd(width)}  ${'kind'.padEnd(9)}  ${'unit'.padEnd(unitWidth)}  points  default tags\n`);
  for (const r of rows) {
    process.stdout.write(`${r.metric.padEnd(width)}  ${r.kind.padEnd(9)}  ${r.unit.padEnd(unitWidth)}  ${String(r.points).padStart(6)}  ${r.defaultTags ? 'yes' : 'no'}\n`);
  }
}

export const DEMO: CliCommand = { run: demoCommand, usage: DEMO_USAGE };
