// Renders one benchmark result as Markdown: the results section of docs/performance.md (also
// what `npm run bench` prints) and the summary table at the top of that page; writes both between
// their marker comments.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAcceptance } from './acceptance.js';
import { COLD_SCENARIOS } from './cold-import.js';

export const MARKERS = {
  results: ['<!-- bench:results:start -->', '<!-- bench:results:end -->'],
  summary: ['<!-- bench:summary:start -->', '<!-- bench:summary:end -->'],
};

const OP_TITLES = { add: 'Counter `add`', record: 'Histogram `record`', timer: '`startTimer` + stop' };
const KIND = { add: 'counter', record: 'histogram' };
/** The calls per series per collection of the summary table (the middle of the grid). */
const SUMMARY_CALLS = 5;

const int = (x) => (Math.round(x) || 0).toLocaleString('en-US'); // || 0: no "-0"

function bytes(n) {
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function num(x) {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a < 0.0005) return '0.000'; // never "-0.000"
  if (a >= 100) return int(x);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a >= 0.1) return x.toFixed(2);
  return x.toFixed(3);
}

/** `median (min–max)` */
const spread = (s) => (s.n ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : '–');

const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)];

function machineLines(result) {
  const m = result.machine;
  const v = result.versions;
  const load = (l) => (l ? l.join(' / ') : '?');
  return [
    `Run of ${result.date.slice(0, 10)} (${result.date.slice(11, 16)} UTC), preset \`${result.preset}\`, ${Math.round(result.seconds.total)} s` +
      `${result.seconds.cpu !== undefined ? ` (${Math.round(result.seconds.cpu)} s of CPU in the benchmark's own process)` : ''}. ` +
      `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}, ${m.memoryGiB} GiB; ` +
      `load average ${load(m.loadAverageStart)} at the start and ${load(m.loadAverageEnd)} at the end (1 / 5 / 15 min). ` +
      `codex-otel-metrics ${v.package}, @opentelemetry/sdk-metrics ${v.sdkMetrics}, exporter-metrics-otlp-proto ${v.otlpExporter}, prom-client ${v.promClient}.`,
  ];
}

function variantLines(result) {
  return result.variants.map((v) => `- **${v.header}** (\`${v.id}\`): ${v.label}.`);
}

const headerOf = (result, id) => result.variants.find((v) => v.id === id)?.header ?? id;

function gridTables(result, op) {
  const groups = (result.grid ?? []).filter((g) => g.op === op);
  if (groups.length === 0) return [];
  const ids = result.variants.map((v) => v.id).filter((id) => groups[0].cells[id]);
  const others = ids.filter((id) => id !== 'raw');
  const head = ['series', 'calls / series / collection', 'raw SDK, ns per call', ...others.map((id) => headerOf(result, id))];
  const body = (nsKey, ratioKey) =>
    groups.map((g) => [int(g.series), String(g.callsPerSeries), spread(g.cells.raw[nsKey]), ...others.map((id) => spread(g.cells[id][ratioKey]))]);
  return [
    `#### ${OP_TITLES[op]}`,
    '',
    'Calls only (the collection excluded):',
    '',
    ...table(head, body('callNs', 'callRatio')),
    '',
    'With the collection (calls plus their share of `collect()`):',
    '',
    ...table(head, body('e2eNs', 'e2eRatio')),
    '',
  ];
}

function collectionTable(result) {
  const groups = result.collection;
  if (!groups?.length) return [];
  const head = ['metric', 'series', 'variant', 'collection, ms', '× raw', 'export, ms', '× raw', 'payload', 'heap per series'];
  const rows = [];
  for (const g of groups) {
    for (const v of result.variants) {
      const c = g.cells[v.id];
      if (!c) continue;
      rows.push([
        KIND[g.op],
        int(g.series),
        v.header,
        spread(c.collectMs),
        spread(c.collectRatio),
        spread(c.exportMs),
        spread(c.exportRatio),
        bytes(c.bytes),
        `${int(c.heapBytesPerSeries)} B`,
      ]);
    }
    for (const s of g.skipped ?? []) rows.push([KIND[g.op], int(g.series), headerOf(result, s.variant), `not measured: ${s.reason}`, '', '', '', '', '']);
  }
  return table(head, rows);
}

function coldTable(result) {
  const c = result.coldImport;
  if (!c) return [];
  const head = ['scenario', 'CPU of the imports and set-up, ms', 'CPU of the process (boot included), ms', 'heap in use, MiB'];
  return table(
    head,
    c.scenarios.map((s) => [COLD_SCENARIOS.find((x) => x.id === s.id)?.label ?? s.id, spread(s.setupCpuMs), spread(s.processCpuMs), num(s.heapMiB.median)]),
  );
}

/** The cold-start targets of issue #12: per-round ratios of the setup CPU time (results saved before them have none). */
function coldRatioLines(result) {
  const ratios = result.coldImport?.ratios;
  if (!ratios?.length) return [];
  const line = (t) => `\`${t.id}\` / \`${t.baseline}\` ${spread(t.ratio)}, target ≤ ${t.bound}${t.ratio.median <= t.bound ? ', met' : ' ✗'}`;
  return [`Per-round ratios of the setup CPU time, median (min–max): ${ratios.map(line).join('; ')}.`, ''];
}

function acceptanceTable(result) {
  const head = ['target (issue #14)', 'variant', 'series × calls per series per collection: median (min–max) of the per-round ratios', 'met'];
  const rows = [];
  for (const c of checkAcceptance(result)) {
    if (c.cells.length === 0) {
      rows.push([c.text, '', 'not measured in this run', '–']);
      continue;
    }
    for (const variant of c.variants) {
      const cells = c.cells.filter((x) => x.variant === variant);
      const measured = cells.map((x) => `${int(x.series)} × ${x.callsPerSeries}: ${spread(x.ratio)}${x.met ? '' : ' ✗'}`);
      rows.push([c.text, headerOf(result, variant), measured.join('; '), cells.every((x) => x.met) ? 'yes' : 'no']);
    }
  }
  return table(head, rows);
}

/** The results section of docs/performance.md (without its markers); `npm run bench` prints it too. */
export function renderResults(result) {
  const r = result.config.rounds;
  return [
    ...machineLines(result),
    '',
    // A run of some sections (`--only`) renders those only.
    ...(result.grid || result.collection
      ? [
          ...variantLines(result),
          '',
          `Every cell: CPU time of this process (\`process.cpuUsage()\`), median of ${r} interleaved rounds with the min–max in brackets. ` +
            'Ratios are to the raw SDK call measured in the same round (below 1 = cheaper than the raw SDK). ' +
            `A sample is at least ${int(result.config.minCallsPerSample)} calls (at most ${int(result.config.maxIntervalsPerSample)} collections).`,
          '',
          '### Targets of issue #14',
          '',
          'A ✗ marks a cell whose median misses the target.',
          '',
          ...acceptanceTable(result),
          '',
          '### Calls',
          '',
          ...result.config.ops.flatMap((op) => gridTables(result, op)),
          '### Collection and export',
          '',
          `${int(result.config.collectionCallsPerSeries)} calls per series, then one collection serialised to the wire: OTLP protobuf by the exporter's own serializer for the OpenTelemetry variants, ` +
            `the text format (\`metrics()\`) for prom-client, text lines for the Map bound. Median (min–max) of ${r} interleaved rounds; heap per series: \`heapUsed\` growth (after two \`gc()\`) once the series exist and were collected once.`,
          '',
          ...collectionTable(result),
          '',
        ]
      : []),
    ...(result.coldImport
      ? [
          '### Cold import',
          '',
          `Fresh processes (\`node bench/cold-child.js SCENARIO\`), ${result.coldImport?.rounds ?? 0} round(s) interleaved across the scenarios: median (min–max).`,
          '',
          ...coldTable(result),
          '',
          ...coldRatioLines(result),
        ]
      : []),
    `Section times (wall): ${Object.entries(result.seconds)
      .filter(([k]) => k !== 'total' && k !== 'cpu')
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')}.`,
  ].join('\n');
}

/** The summary table at the top of docs/performance.md (without its markers). */
export function renderSummary(result) {
  const m = result.machine;
  const ids = result.variants.map((v) => v.id).filter((id) => id !== 'raw');
  const ops = result.config.ops;
  const calls = result.config.callsPerSeries.includes(SUMMARY_CALLS) ? SUMMARY_CALLS : result.config.callsPerSeries.at(-1);
  const series = result.config.series;
  const cell = (op, id, key) =>
    series
      .map((s) => result.grid.find((g) => g.op === op && g.series === s && g.callsPerSeries === calls)?.cells[id]?.[key])
      .map((x) => (x ? num(x.median) : '–'))
      .join(' / ');
  const head = ['', ...ops.map((op) => OP_TITLES[op])];
  const rawRow = (key) => ['raw SDK, ns per call', ...ops.map((op) => cell(op, 'raw', key))];
  const rows = (nsKey, ratioKey) => [rawRow(nsKey), ...ids.map((id) => [headerOf(result, id), ...ops.map((op) => cell(op, id, ratioKey))])];
  const coll = (result.collection ?? []).filter((g) => g.op === 'add');
  const collLine = coll.length
    ? `Collecting ${coll.map((g) => int(g.series)).join(' / ')} counter series (${result.config.collectionCallsPerSeries} calls each): ` +
      ['pkg_owned', 'pkg_host_producer', 'pkg_host', 'prom']
        .filter((id) => coll[0].cells[id])
        .map((id) => `${headerOf(result, id)} ${coll.map((g) => num(g.cells[id].collectRatio.median)).join(' / ')}×`)
        .join(', ') +
      ' the raw SDK.'
    : '';
  return [
    `CPU time relative to the raw SDK call with pre-merged attributes, at ${series.map(int).join(' / ')} series and ${calls} calls per series per collection ` +
      `(median of ${result.config.rounds} interleaved rounds; below 1 is cheaper). One \`npm run bench\` of ${result.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ` +
      `load average ${m.loadAverageStart[0]} at the start. Spreads, the other calls per series, collection, export, heap and cold import: [Results](#results).`,
    '',
    'Calls only:',
    '',
    ...table(head, rows('callNs', 'callRatio')),
    '',
    'With the collection:',
    '',
    ...table(head, rows('e2eNs', 'e2eRatio')),
    '',
    collLine,
  ].join('\n');
}

/** Replaces what is between `start` and `end` in `text`; both markers must be there, once. */
export function replaceBetween(text, [start, end], content, file) {
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i || text.indexOf(start, i + 1) >= 0 || text.indexOf(end, j + 1) >= 0) {
    throw new Error(`${file}: needs exactly one "${start}" followed by one "${end}" (the generated part goes between them)`);
  }
  return `${text.slice(0, i + start.length)}\n${content}\n${text.slice(j)}`;
}

/** Writes both generated parts of docs/performance.md under `root` (the repository, or a copy of that file). */
export function writeDocs(result, root) {
  const file = 'docs/performance.md';
  // Both replaced in memory before writing: a missing marker leaves the file untouched.
  let text = readFileSync(join(root, file), 'utf8');
  text = replaceBetween(text, MARKERS.results, renderResults(result), file);
  text = replaceBetween(text, MARKERS.summary, renderSummary(result), file);
  writeFileSync(join(root, file), text);
  return [file];
}
