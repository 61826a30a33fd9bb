// Test helper: hostile OTLP bodies built directly as bytes (a few MiB of tiny messages would take
// far longer to build through protobufjs), plus a helper to run `verify` in a child process.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** A file of `size` bytes of `fill`, gzipped as a stream (never whole in memory). */
export async function gzipFile(path: string, size: number, fill: number): Promise<void> {
  const gzip = createGzip({ level: 9 });
  const out = gzip.pipe(createWriteStream(path));
  const chunk = Buffer.alloc(1024 * 1024, fill);
  for (let written = 0; written < size; written += chunk.length) if (!gzip.write(chunk)) await once(gzip, 'drain');
  gzip.end();
  await once(out, 'finish');
}

/** Protobuf varint bytes of `n` (n < 2^53). */
export function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** A length-delimited field: tag (id, wire type 2), length, payload. */
export function message(id: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  return Buffer.concat([Buffer.from([...varint((id << 3) | 2), ...varint(payload.length)]), payload]);
}

export function varintField(id: number, value: number): Buffer {
  return Buffer.from([...varint(id << 3), ...varint(value)]);
}

export function string(id: number, text: string): Buffer {
  return message(id, Buffer.from(text, 'utf8'));
}

/** `unit` repeated `count` times. */
export function repeat(unit: Uint8Array, count: number): Buffer {
  const out = Buffer.allocUnsafe(unit.length * count);
  for (let i = 0; i < count; i++) out.set(unit, i * unit.length);
  return out;
}

/** ExportMetricsServiceRequest with one resource, one scope and these Metric payloads. */
export function requestOf(...metrics: Uint8Array[]): Buffer {
  const scope = Buffer.concat([message(1, string(1, 'codex')), ...metrics.map((m) => message(2, m))]);
  return message(1, message(2, scope));
}

/** A cumulative monotonic Sum metric whose data points are the given NumberDataPoint payloads, concatenated. */
export function sumMetric(name: string, dataPoints: Uint8Array, unit = '1'): Buffer {
  const sum = Buffer.concat([dataPoints, varintField(2, 2), varintField(3, 1)]);
  return Buffer.concat([string(1, name), string(3, unit), message(7, sum)]);
}

/** `count` empty data points (2 bytes each on the wire), as the data-points part of a Sum. */
export function emptyPoints(count: number): Buffer {
  return repeat(message(1), count);
}

/** A KeyValue with a string value. */
export function keyValue(key: string, value: string): Buffer {
  return Buffer.concat([string(1, key), message(2, string(1, value))]);
}

/** A NumberDataPoint (as_int) with these attributes and a timestamp. */
export function numberPoint(value: number, attributes: Uint8Array[], timeStep = 1): Buffer {
  const time = Buffer.alloc(8);
  time.writeBigUInt64LE(1_700_000_000_000_000_000n + BigInt(timeStep) * 1_000_000_000n);
  const start = Buffer.alloc(8);
  start.writeBigUInt64LE(1_700_000_000_000_000_000n);
  const asInt = Buffer.alloc(8);
  asInt.writeBigInt64LE(BigInt(value));
  const fields = [
    ...attributes.map((a) => message(7, a)),
    Buffer.concat([Buffer.from([(2 << 3) | 1]), start]),
    Buffer.concat([Buffer.from([(3 << 3) | 1]), time]),
    Buffer.concat([Buffer.from([(6 << 3) | 1]), asInt]),
  ];
  return message(1, Buffer.concat(fields));
}

export const DEFAULT_TAG_ATTRIBUTES = [
  keyValue('auth_mode', 'api_key'),
  keyValue('originator', 'codex_cli_rs'),
  keyValue('session_source', 'cli'),
  keyValue('model', 'gpt-5'),
  keyValue('app.version', '0.136.0'),
];

export const PROTOBUF = { 'content-type': 'application/x-protobuf' } as const;

const BIN = fileURLToPath(new URL('../../bin/codex-otel-metrics.js', import.meta.url));

export interface VerifyProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly metricsUrl: string;
  /** Peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** Sends `signal` and resolves with the exit code, stdout and stderr. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs the built CLI's `verify` on a free loopback port (with Node's default heap limit, as users run it). */
export async function startVerifyProcess(args: string[] = []): Promise<VerifyProcess> {
  const child = spawn(process.execPath, [BIN, 'verify', '--listen', '127.0.0.1:0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const metricsUrl = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const listening = /listening on (http\S+\/v1\/metrics)/.exec(stderr);
      if (listening) resolve(listening[1]);
    };
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`verify exited early: ${stderr}`)));
  });
  return {
    child,
    metricsUrl,
    peakRssMiB() {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : NaN;
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill(signal);
        await exited;
      }
      return { code: child.exitCode, stdout, stderr };
    },
  };
}
