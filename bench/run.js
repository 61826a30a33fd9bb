// Benchmark: this package's hot path against the raw OpenTelemetry SDK and a naive per-call merge.
// Run with `npm run bench` (builds first; needs --expose-gc). `--json` prints machine-readable
// results on stdout; progress always goes to stderr. See docs/performance.md.
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { Bench } from 'tinybench';
import { startCodexMetrics } from '../dist/index.js';
import { startOtlpReceiver } from '../dist/verify/index.js';
import { COUNTER, DEFAULTS, exportedTotal, HISTOGRAM, OPS, pkgEnv, rawEnv, workload } from './env.js';
import { printReport } from './report.js';

const JSON_OUTPUT = process.argv.includes('--json');
const CARDINALITIES = [1, 100, 10_000];
/** Calls per timed sample of the hot-path benchmarks (timer overhead is amortised over them). */
const BATCH = 1000;
/** Hot path: the reader is collected (untimed) after every this many calls. */
const COLLECT_EVERY = 200_000;
/** End to end: calls per collection, timed together with the collection. */
const E2E_CALLS = 50_000;
const HEAP_CALLS = 1_000_000;
const SERIES = 10_000;

const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('run with node --expose-gc (npm run bench does)');
  process.exit(2);
}
const log = (message) => process.stderr.write(`${message}\n`);
const round = (x, digits = 1) => (x === undefined || x === null || !Number.isFinite(x) ? x : Number(x.toFixed(digits)));

const VARIANTS = [
  { id: 'raw', label: 'raw SDK', ops: OPS.raw, env: (limits) => rawEnv(limits) },
  { id: 'naive', label: 'naive merge', ops: OPS.naive, env: (limits) => rawEnv(limits) },
  // The default set-up of startCodexMetrics / createTestCodexMetrics: the package owns the reader,
  // histograms are aggregated in a HistogramStorage handed to the reader as a MetricProducer.
  {
    id: 'pkg_agg',
    label: 'package, aggregateInPackage: true + HistogramStorage/histogramProducer (startCodexMetrics set-up)',
    ops: OPS.pkg,
    env: (limits) => pkgEnv({ aggregate: true, histogramStorage: true, ...limits }),
  },
  // A host's MeterProvider: no storage, histograms go through the SDK's instruments.
  { id: 'pkg_host', label: "package, aggregateInPackage: true on a host's MeterProvider (no HistogramStorage)", ops: OPS.pkg, env: (limits) => pkgEnv({ aggregate: true, ...limits }) },
  { id: 'pkg_noagg', label: 'package, aggregateInPackage: false', ops: OPS.pkg, env: (limits) => pkgEnv({ aggregate: false, ...limits }) },
];
const PKG_VARIANTS = ['pkg_agg', 'pkg_host', 'pkg_noagg'];

function stats(task, calls) {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}${r.error ? `: ${r.error.message}` : ''}`);
  const nsPerOp = (r.latency.mean * 1e6) / calls;
  return {
    nsPerOp: round(nsPerOp),
    opsPerSec: Math.round(1e9 / nsPerOp),
    medianNsPerOp: round((r.latency.p50 * 1e6) / calls),
    rmePercent: round(r.latency.rme, 2),
    samples: r.latency.samplesCount,
  };
}

/** (a)/(b)/(c): calls only; the reader is collected between samples, outside the timed window. */
async function hotPath() {
  const rows = [];
  const cases = [];
  for (const cardinality of CARDINALITIES) {
    for (const op of ['add', 'record', 'timer']) for (const v of VARIANTS) cases.push({ cardinality, op, v, limits: {} });
  }
  // The same 10,000 series under the default limits: 2000 series cached by the package, 2000 per
  // instrument in the SDK and in the HistogramStorage (the rest goes to the overflow series).
  for (const op of ['add', 'record']) {
    for (const v of VARIANTS.filter((x) => x.id === 'raw' || x.id === 'pkg_agg')) {
      cases.push({ cardinality: SERIES, op, v, limits: { cardinalityLimit: 2000, maxSeriesPerMetric: 2000 }, defaultLimits: true });
    }
  }
  for (const c of cases) {
    const w = workload(c.cardinality);
    const env = c.v.env(c.limits);
    const run = c.v.ops[c.op](env, w);
    let sinceCollect = 0;
    gc();
    const bench = new Bench({ time: 150, iterations: 20, warmupTime: 40, warmupIterations: 10, throws: true });
    bench.add(`${c.v.id} ${c.op} ${c.cardinality}`, () => run(BATCH), {
      async: false,
      afterEach() {
        sinceCollect += BATCH;
        if (sinceCollect < COLLECT_EVERY) return;
        sinceCollect = 0;
        return env.reader.collect().then(() => undefined);
      },
    });
    await bench.run();
    await env.reader.collect();
    await env.provider.shutdown();
    const row = { op: c.op, cardinality: c.cardinality, defaultLimits: c.defaultLimits === true, variant: c.v.id, ...stats(bench.tasks[0], BATCH) };
    rows.push(row);
    log(`  hot ${row.op.padEnd(6)} ${String(row.cardinality).padStart(5)}${row.defaultLimits ? '*' : ' '} ${row.variant.padEnd(9)} ${row.nsPerOp} ns/op`);
  }
  return rows;
}

/**
 * N calls then one reader.collect(), timed together: the package's deferred work included (its
 * flush callback and, for pkg_agg, the histogram producer, which the reader collects with the SDK).
 * Every sample's collection is checked to hold every call made so far (cumulative), so no variant
 * can skip work.
 */
async function endToEnd() {
  const rows = [];
  for (const cardinality of CARDINALITIES) {
    for (const op of ['add', 'record']) {
      for (const v of VARIANTS) {
        const w = workload(cardinality);
        const env = v.env({});
        const run = v.ops[op](env, w);
        const wireName = `codex.${op === 'add' ? COUNTER : HISTOGRAM}`;
        let collectMs = 0;
        let collections = 0;
        let calls = 0;
        let mismatch;
        gc();
        const bench = new Bench({ time: 0, iterations: 6, warmupTime: 0, warmupIterations: 1, throws: true });
        bench.add(
          `${v.id} ${op} ${cardinality} e2e`,
          async () => {
            run(E2E_CALLS);
            calls += E2E_CALLS;
            const t0 = performance.now();
            const { resourceMetrics } = await env.reader.collect();
            collectMs += performance.now() - t0;
            collections++;
            const exported = exportedTotal(resourceMetrics, wireName);
            if (exported !== calls) mismatch ??= `${exported} exported after ${calls} calls`;
          },
          {
            async: true,
            beforeAll(mode) {
              if (mode === 'run') collectMs = collections = 0;
            },
          },
        );
        await bench.run();
        await env.provider.shutdown();
        if (mismatch) throw new Error(`${v.id} ${op} ${cardinality} e2e: ${mismatch}`);
        const row = { op, cardinality, variant: v.id, callsPerCollection: E2E_CALLS, ...stats(bench.tasks[0], E2E_CALLS), collectMs: round(collectMs / collections, 2) };
        rows.push(row);
        log(`  e2e ${op.padEnd(6)} ${String(cardinality).padStart(5)}  ${v.id.padEnd(9)} ${row.nsPerOp} ns/call (collection ${row.collectMs} ms)`);
      }
    }
  }
  return rows;
}

function ratios(rows) {
  const out = [];
  const key = (r) => `${r.op}|${r.cardinality}|${r.defaultLimits === true}`;
  const groups = new Map();
  for (const r of rows) {
    if (!groups.has(key(r))) groups.set(key(r), {});
    groups.get(key(r))[r.variant] = r.nsPerOp;
  }
  for (const [k, g] of groups) {
    const [op, cardinality, defaultLimits] = k.split('|');
    const ratio = (a, b) => (g[a] !== undefined && g[b] !== undefined ? round(g[a] / g[b], 3) : undefined);
    const row = { op, cardinality: Number(cardinality), defaultLimits: defaultLimits === 'true' };
    // e.g. pkg_agg -> aggOverRaw, aggOverNaive
    for (const id of PKG_VARIANTS) {
      const name = id.slice(4);
      row[`${name}OverRaw`] = ratio(id, 'raw');
      row[`${name}OverNaive`] = ratio(id, 'naive');
    }
    out.push(row);
  }
  return out;
}

/** Retained heap after 1M calls with one fixed field set, and the minor GCs they caused. */
async function heapGrowth() {
  const cases = [
    { variant: 'raw', op: 'add' },
    { variant: 'pkg_agg', op: 'add' },
    { variant: 'pkg_agg', op: 'record' },
    { variant: 'pkg_agg', op: 'timer' },
    { variant: 'pkg_host', op: 'record' },
  ];
  const rows = [];
  for (const c of cases) {
    const v = VARIANTS.find((x) => x.id === c.variant);
    const w = workload(1);
    const env = v.env({});
    const run = v.ops[c.op](env, w);
    run(10_000); // create the series and warm up
    await env.reader.collect();
    const scavenges = await countMinorGcs(async () => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      run(HEAP_CALLS);
      const ms = performance.now() - t0;
      gc();
      const after = process.memoryUsage().heapUsed;
      return { before, after, ms };
    });
    const { before, after, ms } = scavenges.result;
    await env.reader.collect();
    await env.provider.shutdown();
    const row = {
      variant: c.variant,
      op: c.op,
      calls: HEAP_CALLS,
      heapGrowthBytes: after - before,
      bytesPerCall: round((after - before) / HEAP_CALLS, 3),
      minorGcs: scavenges.minor,
      ms: round(ms, 0),
    };
    rows.push(row);
    log(`  heap ${row.variant} ${row.op}: ${row.bytesPerCall} B/call retained, ${row.minorGcs} minor GCs`);
  }
  return rows;
}

async function countMinorGcs(work) {
  const entries = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const startedAt = performance.now();
  const result = await work();
  const endedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 20)); // gc entries are delivered asynchronously
  observer.disconnect();
  const minor = entries.filter((e) => e.startTime >= startedAt && e.startTime <= endedAt && e.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR).length;
  return { result, minor };
}

/** Heap per series once 10,000 series exist and have been collected once (cumulative). */
async function memoryPerSeries() {
  const rows = [];
  const keep = [];
  for (const op of ['add', 'record']) {
    for (const id of ['raw', ...PKG_VARIANTS]) {
      const v = VARIANTS.find((x) => x.id === id);
      const w = workload(SERIES);
      const env = v.env({});
      const run = v.ops[op](env, w);
      // One call on an unrelated series creates the instruments before the baseline.
      if (id === 'raw') (op === 'add' ? env.counter.add(1, { probe: 'x' }) : env.histogram.record(1, { probe: 'x' }));
      else op === 'add' ? env.metrics.add(COUNTER, { status: 1, success: true }) : env.metrics.record(HISTOGRAM, 1, { status: 1, success: true });
      await env.reader.collect();
      gc();
      const before = process.memoryUsage().heapUsed;
      // order[] starts with a full permutation: the first SERIES calls touch every series once.
      run(SERIES);
      await env.reader.collect();
      gc();
      const after = process.memoryUsage().heapUsed;
      keep.push(env, w);
      const row = { variant: id, op, series: SERIES, bytes: after - before, bytesPerSeries: Math.round((after - before) / SERIES) };
      rows.push(row);
      log(`  memory ${id} ${op}: ${row.bytesPerSeries} B/series`);
    }
  }
  keep.length = 0;
  return rows;
}

/** Real OTLP/HTTP protobuf export of 10,000 series to a loopback receiver. */
async function exportSeries() {
  const rows = [];
  for (const op of ['add', 'record']) {
    // The respond hook sees each request once its body has arrived, before the receiver decodes it:
    // it splits a flush into the client's part (collect, encode, send) and the receiver's (decode).
    let arrivedAt = 0;
    const receiver = await startOtlpReceiver({
      maxBodyBytes: 64 * 1024 * 1024,
      respond: () => {
        arrivedAt = performance.now();
        return undefined;
      },
    });
    const session = startCodexMetrics({
      endpoint: receiver.url,
      exportIntervalMillis: 3_600_000,
      cardinalityLimit: 20_000,
      maxSeriesPerMetric: 20_000,
      defaults: DEFAULTS,
    });
    const w = workload(SERIES);
    const run = OPS.pkg[op]({ metrics: session.metrics }, w);
    run(SERIES);
    const t0 = performance.now();
    await session.forceFlush();
    const firstMs = performance.now() - t0;
    const firstClientMs = arrivedAt - t0;
    const first = receiver.requests();
    run(SERIES);
    const t1 = performance.now();
    await session.forceFlush();
    const secondMs = performance.now() - t1;
    const points = receiver.points();
    const requests = receiver.requests();
    const wire = `codex.${op === 'add' ? COUNTER : HISTOGRAM}`;
    const firstPoints = points.filter((p) => p.requestIndex === first.at(-1)?.index && p.metric === wire).length;
    rows.push({
      op,
      series: SERIES,
      protocol: session.config.protocol,
      firstFlushMs: round(firstMs, 1),
      firstClientMs: round(firstClientMs, 1),
      firstReceiverMs: round(firstMs - firstClientMs, 1),
      secondFlushMs: round(secondMs, 1),
      pointsReceived: firstPoints,
      requestBytes: requests[0]?.bytes,
      status: requests.map((r) => r.status),
    });
    log(`  export ${op}: ${firstPoints} points, ${round(firstMs, 1)} ms (then ${round(secondMs, 1)} ms), ${requests[0]?.bytes} bytes`);
    await session.shutdown();
    await receiver.close();
  }
  return rows;
}

/**
 * 10,000 series under the default limits (package cache 2000, SDK and HistogramStorage 2000 per
 * instrument), exported to the receiver: what stays an individual series and what lands in
 * `otel.metric.overflow=true`, for the counter (SDK) and the histogram (HistogramStorage, as
 * startCodexMetrics sets it up). The raw SDK with the same limit is shown for comparison.
 */
async function overflow() {
  const receiver = await startOtlpReceiver({ maxBodyBytes: 64 * 1024 * 1024 });
  const session = startCodexMetrics({ endpoint: receiver.url, exportIntervalMillis: 3_600_000, defaults: DEFAULTS });
  const w = workload(SERIES);
  // Every series once, in w.order; histogram values are 1 so a point's count is its value.
  OPS.pkg.add({ metrics: session.metrics }, w)(SERIES);
  for (let i = 0; i < SERIES; i++) session.metrics.record(HISTOGRAM, 1, w.pkgFields[w.order[i]]);
  await session.forceFlush();
  const received = receiver.points();
  await session.shutdown();
  await receiver.close();

  const raw = rawEnv({ cardinalityLimit: 2000 });
  OPS.raw.add(raw, w)(SERIES);
  for (let i = 0; i < SERIES; i++) raw.histogram.record(1, w.merged[w.order[i]]);
  const { resourceMetrics } = await raw.reader.collect();
  const rawMetrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  await raw.provider.shutdown();

  const describe = (list) => {
    const over = list.filter((p) => p.attributes['otel.metric.overflow'] === true);
    const regular = list.filter((p) => p.attributes['otel.metric.overflow'] === undefined);
    // Position (in call order) of the series that stayed individual.
    const position = new Map(Array.from(w.order.subarray(0, SERIES), (series, i) => [w.wireFields[series].status + '/' + w.wireFields[series].success, i]));
    const kept = regular.map((p) => position.get(`${p.attributes.status}/${p.attributes.success}`)).sort((a, b) => a - b);
    return {
      points: list.length,
      individualSeries: regular.length,
      overflowPoints: over.length,
      overflowValue: over.reduce((s, p) => s + p.value, 0),
      total: list.reduce((s, p) => s + p.value, 0),
      keptCallPositions: kept.length ? `${kept[0]}..${kept.at(-1)}` : '',
      keptAreFirstSeen: kept.length > 0 && kept.every((x, i) => x === i),
    };
  };
  const result = { series: SERIES };
  for (const [kind, name] of [['counter', COUNTER], ['histogram', HISTOGRAM]]) {
    const wire = `codex.${name}`;
    // Counter: the sum; histogram: the count.
    const pkgPoints = received.filter((p) => p.metric === wire).map((p) => ({ attributes: p.attributes, value: p.value ?? p.count }));
    const rawPoints = rawMetrics
      .find((m) => m.descriptor.name === wire)
      .dataPoints.map((p) => ({ attributes: p.attributes, value: typeof p.value === 'number' ? p.value : p.value.count }));
    result[kind] = { package: describe(pkgPoints), rawSdk: describe(rawPoints) };
    log(`  overflow ${kind}: package ${JSON.stringify(result[kind].package)}; raw ${JSON.stringify(result[kind].rawSdk)}`);
  }
  return result;
}

/** A fresh process: node boot, import of dist/index.js, createCodexMetrics, first add. */
function coldStart(runs = 5) {
  const url = new URL('../dist/index.js', import.meta.url).href;
  const script = `
    const t0 = performance.now();
    const m = await import(${JSON.stringify(url)});
    const t1 = performance.now();
    const metrics = m.createCodexMetrics({ defaults: ${JSON.stringify(DEFAULTS)} });
    const t2 = performance.now();
    metrics.add('api_request', { status: 200, success: true });
    const t3 = performance.now();
    console.log(JSON.stringify({ bootMs: t0, importMs: t1 - t0, createMs: t2 - t1, firstAddMs: t3 - t2, totalMs: t3 }));`;
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    samples.push(JSON.parse(out.trim().split('\n').at(-1)));
  }
  const median = (key) => {
    const xs = samples.map((s) => s[key]).sort((a, b) => a - b);
    return round(xs[Math.floor(xs.length / 2)], 2);
  };
  const result = { runs, bootMs: median('bootMs'), importMs: median('importMs'), createMs: median('createMs'), firstAddMs: median('firstAddMs'), totalMs: median('totalMs') };
  log(`  cold start: import ${result.importMs} ms, create ${result.createMs} ms`);
  return result;
}

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    // Other processes on the machine skew every number: check this before trusting a run.
    loadAvg1m: round(os.loadavg()[0], 2),
  };
}

async function main() {
  const started = performance.now();
  const result = {
    machine: machine(),
    variants: VARIANTS.map(({ id, label }) => ({ id, label })),
    config: { batch: BATCH, collectEvery: COLLECT_EVERY, e2eCallsPerCollection: E2E_CALLS, heapCalls: HEAP_CALLS, temporality: 'cumulative', cardinalityLimit: 20_000, maxSeriesPerMetric: 20_000 },
  };
  log(`codex-otel-metrics bench: ${result.machine.node}, ${result.machine.cpu} x${result.machine.cores}`);
  result.sectionSeconds = {};
  const section = async (name, fn) => {
    log(name);
    const t0 = performance.now();
    const value = await fn();
    result.sectionSeconds[name] = round((performance.now() - t0) / 1000, 1);
    return value;
  };
  result.coldStart = await section('cold start', () => coldStart());
  result.hotPath = await section('hot path', hotPath);
  result.hotPathRatios = ratios(result.hotPath);
  result.endToEnd = await section('end to end', endToEnd);
  result.endToEndRatios = ratios(result.endToEnd);
  result.heap = await section('heap growth', heapGrowth);
  result.memory = await section('memory per series', memoryPerSeries);
  result.export = await section('export', exportSeries);
  result.overflow = await section('overflow', overflow);
  result.totalSeconds = round((performance.now() - started) / 1000, 1);
  if (JSON_OUTPUT) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printReport(result);
}

await main();
