// Compact text report of a bench/run.js result (the same object `--json` prints).

const VARIANTS = ['raw', 'naive', 'pkg_agg', 'pkg_host', 'pkg_noagg'];
const HEADERS = { raw: '(a) raw SDK', naive: '(b) naive', pkg_agg: '(c) pkg agg', pkg_host: '(c) pkg host', pkg_noagg: '(c) pkg no-agg' };
/** Ratio columns: (c)/(a) and (c)/(b) for each package variant (keys of bench/run.js ratios()). */
const RATIOS = [
  ['agg/raw', 'aggOverRaw'],
  ['agg/naive', 'aggOverNaive'],
  ['host/raw', 'hostOverRaw'],
  ['host/naive', 'hostOverNaive'],
  ['noagg/raw', 'noaggOverRaw'],
  ['noagg/naive', 'noaggOverNaive'],
];

function ns(x) {
  if (x === undefined) return '-';
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

function opsPerSec(x) {
  if (x === undefined) return '';
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M/s`;
  return `${(x / 1e3).toFixed(0)}k/s`;
}

function ratio(x) {
  return x === undefined ? '-' : x < 0.1 ? x.toFixed(3) : x.toFixed(2);
}

function pad(s, n, left = false) {
  s = String(s);
  return left ? s.padEnd(n) : s.padStart(n);
}

function timingTable(title, rows, ratios, extra) {
  const lines = [title];
  const cell = 18;
  lines.push(`${pad('op', 7, true)}${pad('series', 7)}  ${VARIANTS.map((v) => pad(HEADERS[v], cell)).join('')}`);
  for (const r of ratios) {
    const group = rows.filter((x) => x.op === r.op && x.cardinality === r.cardinality && (x.defaultLimits === true) === r.defaultLimits);
    const cells = VARIANTS.map((v) => {
      const row = group.find((x) => x.variant === v);
      if (!row) return pad('-', cell);
      const detail = extra ? extra(row) : opsPerSec(row.opsPerSec);
      return pad(`${ns(row.nsPerOp)} ${detail}`, cell);
    });
    lines.push(`${pad(r.op, 7, true)}${pad(`${r.cardinality}${r.defaultLimits ? '*' : ''}`, 7)}  ${cells.join('')}`);
  }
  lines.push(`  ratios (c)/(a) and (c)/(b), below 1 = package faster`);
  lines.push(`${pad('op', 7, true)}${pad('series', 7)}  ${RATIOS.map(([h]) => pad(h, 12)).join('')}`);
  for (const r of ratios) {
    lines.push(`${pad(r.op, 7, true)}${pad(`${r.cardinality}${r.defaultLimits ? '*' : ''}`, 7)}  ${RATIOS.map(([, k]) => pad(ratio(r[k] ?? undefined), 12)).join('')}`);
  }
  return lines;
}

export function printReport(result) {
  const m = result.machine;
  const c = result.config;
  const out = [];
  out.push(`Machine: Node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.platform}, ${m.memoryGiB} GiB, load average ${m.loadAvg1m} at start`);
  out.push(
    `Workload: codex.api_request / codex.api_request.duration_ms, 5 default tags + status/success; cumulative readers; limits ${c.cardinalityLimit} (SDK, HistogramStorage) / ${c.maxSeriesPerMetric} (package) unless marked *`,
  );
  for (const v of result.variants ?? []) out.push(`  ${pad(HEADERS[v.id], 15, true)} ${v.label}`);
  out.push('');
  out.push(
    ...timingTable(
      `HOT PATH: ns/op and ops/s (mean of samples of ${c.batch} calls; reader collected every ${c.collectEvery} calls outside the timed window)`,
      result.hotPath,
      result.hotPathRatios,
    ),
  );
  out.push('  * = default limits: package caches 2000 series per metric and view, SDK / HistogramStorage keep 2000 per instrument (rest -> overflow series)');
  out.push('');
  out.push(
    ...timingTable(
      `END TO END: ns/call amortised over ${c.e2eCallsPerCollection} calls + one reader.collect() (collection ms in brackets)`,
      result.endToEnd,
      result.endToEndRatios,
      (row) => `[${row.collectMs}]`,
    ),
  );
  out.push('');
  out.push(`HEAP after ${c.heapCalls.toLocaleString('en-US')} calls, one fixed field set (gc before and after)`);
  for (const h of result.heap) {
    out.push(`  ${pad(`${h.variant} ${h.op}`, 18, true)} ${pad(h.bytesPerCall.toFixed(3), 8)} B/call retained  ${pad(h.minorGcs, 4)} minor GCs  ${pad(h.ms, 6)} ms`);
  }
  out.push('');
  out.push('MEMORY per series (10,000 series created and collected once, cumulative)');
  for (const r of result.memory) out.push(`  ${pad(`${r.variant} ${r.op}`, 18, true)} ${pad(r.bytesPerSeries, 6)} B/series  (${(r.bytes / 2 ** 20).toFixed(1)} MiB)`);
  out.push('');
  out.push('EXPORT of 10,000 series: startCodexMetrics -> OTLP/HTTP protobuf -> loopback receiver (decodes in-process)');
  for (const e of result.export) {
    out.push(
      `  ${pad(e.op === 'add' ? 'counter' : 'histogram', 10, true)} first forceFlush ${pad(e.firstFlushMs, 6)} ms (collect+encode+send ${e.firstClientMs} ms, receiver decode ${e.firstReceiverMs} ms), next ${e.secondFlushMs} ms; ${e.pointsReceived} points, ${(e.requestBytes / 1024).toFixed(0)} KiB, HTTP ${[...new Set(e.status)].join('/')}`,
    );
  }
  out.push('');
  const o = result.overflow;
  out.push(`OVERFLOW: ${o.series} series under default limits, one call each (histogram: value = count; package histograms via HistogramStorage)`);
  for (const kind of ['counter', 'histogram']) {
    for (const [name, d] of [['package', o[kind].package], ['raw SDK', o[kind].rawSdk]]) {
      out.push(
        `  ${pad(kind, 10, true)}${pad(name, 8, true)} ${d.points} points: ${d.individualSeries} individual + ${d.overflowPoints} otel.metric.overflow=true (value ${d.overflowValue}); total ${d.total}; kept series = call positions ${d.keptCallPositions}${d.keptAreFirstSeen ? ' (the first seen)' : ' (NOT the first seen)'}`,
      );
    }
  }
  out.push('');
  const s = result.coldStart;
  out.push(
    `COLD START (median of ${s.runs} child processes): node boot ${s.bootMs} ms, import dist/index.js ${s.importMs} ms, createCodexMetrics ${s.createMs} ms, first add ${s.firstAddMs} ms`,
  );
  out.push(`Total bench time ${result.totalSeconds} s (${Object.entries(result.sectionSeconds).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  process.stdout.write(`${out.join('\n')}\n`);
}
