// Captured exports of the real Codex CLI, committed under test/fixtures/codex-<version>/ so the
// interop comparisons run where the binary is absent (and for versions CI does not install). Each
// file is one OTLP/HTTP request body as Codex sent it, gzipped for size; manifest.json says how to
// read it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { flattenRequest, type ReceivedPoint } from '../../src/verify/points.js';
import { decodeRequestBody } from '../../src/verify/request-body.js';
import { PINNED_CODEX_VERSION, type CodexProtocol } from './codex-cli.js';

export const FIXTURES_ROOT = resolve('test/fixtures');

export function fixtureDir(version: string): string {
  return join(FIXTURES_ROOT, `codex-${version}`);
}
/** Fixtures of the pinned version, which CI also runs live. */
export const FIXTURE_DIR = fixtureDir(PINNED_CODEX_VERSION);

/** Versions with committed fixtures, oldest first. */
export function fixtureVersions(): string[] {
  return readdirSync(FIXTURES_ROOT)
    .map((d) => /^codex-(\d+\.\d+\.\d+)$/.exec(d)?.[1])
    .filter((v): v is string => v !== undefined && existsSync(join(fixtureDir(v), 'manifest.json')))
    .sort(compareVersionText);
}

function compareVersionText(a: string, b: string): number {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export interface FixtureEntry {
  readonly file: string;
  readonly scenario: string;
  readonly protocol: CodexProtocol;
  readonly contentType: string;
}

export interface FixtureManifest {
  readonly codexVersion: string;
  readonly captured: string;
  /** Scenarios this version could not run (e.g. a subcommand it lacks), with the reason. */
  readonly skipped?: Readonly<Record<string, string>>;
  readonly entries: readonly FixtureEntry[];
}

export interface CapturedExport {
  readonly scenario: string;
  readonly protocol: CodexProtocol;
  readonly contentType: string;
  readonly body: Buffer;
}

/** Replaces the fixtures of `version` with these exports. */
export function writeFixtures(version: string, exports: readonly CapturedExport[], skipped: Readonly<Record<string, string>> = {}): void {
  const dir = fixtureDir(version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const entries: FixtureEntry[] = [];
  const seen = new Map<string, number>();
  for (const e of exports) {
    const key = `${e.scenario}.${e.protocol}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const file = `${key}.${n}.${e.protocol === 'json' ? 'json' : 'pb'}.gz`;
    writeFileSync(join(dir, file), gzipSync(e.body, { level: 9 }));
    entries.push({ file, scenario: e.scenario, protocol: e.protocol, contentType: e.contentType });
  }
  const manifest: FixtureManifest = {
    codexVersion: version,
    captured: new Date().toISOString().slice(0, 10),
    ...(Object.keys(skipped).length ? { skipped } : {}),
    entries,
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifest(version: string = PINNED_CODEX_VERSION): FixtureManifest {
  return JSON.parse(readFileSync(join(fixtureDir(version), 'manifest.json'), 'utf8')) as FixtureManifest;
}

/** Decodes one captured body exactly as the receiver would. */
export async function decodeExport(contentType: string, body: Buffer, requestIndex = 0): Promise<ReceivedPoint[]> {
  const request = await decodeRequestBody({ contentType, contentEncoding: undefined, body, maxBytes: 64 * 1024 * 1024 });
  return flattenRequest(request, { contentType, requestIndex });
}

export async function loadFixturePoints(entry: FixtureEntry, requestIndex = 0, version: string = PINNED_CODEX_VERSION): Promise<ReceivedPoint[]> {
  return decodeExport(entry.contentType, gunzipSync(readFileSync(join(fixtureDir(version), entry.file))), requestIndex);
}
