// Captured exports of the real Codex CLI, committed under test/fixtures/codex-<version>/ so the
// interop comparisons run where the binary is absent. Each file is one OTLP/HTTP request body as
// Codex sent it, gzipped for size; manifest.json says how to read it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { flattenRequest, type ReceivedPoint } from '../../src/verify/points.js';
import { decodeRequestBody } from '../../src/verify/request-body.js';
import { CODEX_VERSION, type CodexProtocol } from './codex-cli.js';

export const FIXTURE_DIR = resolve('test/fixtures', `codex-${CODEX_VERSION}`);

export interface FixtureEntry {
  readonly file: string;
  readonly scenario: string;
  readonly protocol: CodexProtocol;
  readonly contentType: string;
}

export interface FixtureManifest {
  readonly codexVersion: string;
  readonly captured: string;
  readonly entries: readonly FixtureEntry[];
}

export interface CapturedExport {
  readonly scenario: string;
  readonly protocol: CodexProtocol;
  readonly contentType: string;
  readonly body: Buffer;
}

export function writeFixtures(exports: readonly CapturedExport[]): void {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const entries: FixtureEntry[] = [];
  const seen = new Map<string, number>();
  for (const e of exports) {
    const key = `${e.scenario}.${e.protocol}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const file = `${key}.${n}.${e.protocol === 'json' ? 'json' : 'pb'}.gz`;
    writeFileSync(join(FIXTURE_DIR, file), gzipSync(e.body, { level: 9 }));
    entries.push({ file, scenario: e.scenario, protocol: e.protocol, contentType: e.contentType });
  }
  const manifest: FixtureManifest = { codexVersion: CODEX_VERSION, captured: new Date().toISOString().slice(0, 10), entries };
  writeFileSync(join(FIXTURE_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifest(): FixtureManifest {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as FixtureManifest;
}

/** Decodes one captured body exactly as the receiver would. */
export async function decodeExport(contentType: string, body: Buffer, requestIndex = 0): Promise<ReceivedPoint[]> {
  const request = await decodeRequestBody({ contentType, contentEncoding: undefined, body, maxBytes: 64 * 1024 * 1024 });
  return flattenRequest(request, { contentType, requestIndex });
}

export async function loadFixturePoints(entry: FixtureEntry, requestIndex = 0): Promise<ReceivedPoint[]> {
  return decodeExport(entry.contentType, gunzipSync(readFileSync(join(FIXTURE_DIR, entry.file))), requestIndex);
}
