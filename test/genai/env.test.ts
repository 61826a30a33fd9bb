// CODEX_OTEL_METRICS_GENAI: true/false in any case; anything else warns once and is ignored
// (lenient) or is an error (strict); the genAi option wins over it.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveExportConfig } from '../../src/export/config.js';
import { ExportConfigError } from '../../src/export/errors.js';
import { captureDiag, type DiagCapture } from '../faults/harness.js';
import { demoExport } from './demo-export.js';

let logs: DiagCapture | undefined;
afterEach(() => {
  logs?.dispose();
  logs = undefined;
});

describe('CODEX_OTEL_METRICS_GENAI', () => {
  it('true or false, trimmed, any case; unset is undefined', () => {
    expect(resolveExportConfig({}, {}).genAi).toBeUndefined();
    expect(resolveExportConfig({}, { CODEX_OTEL_METRICS_GENAI: '' }).genAi).toBeUndefined();
    expect(resolveExportConfig({}, { CODEX_OTEL_METRICS_GENAI: 'true' }).genAi).toBe(true);
    expect(resolveExportConfig({}, { CODEX_OTEL_METRICS_GENAI: ' TRUE ' }).genAi).toBe(true);
    expect(resolveExportConfig({}, { CODEX_OTEL_METRICS_GENAI: 'False' }).genAi).toBe(false);
  });

  it('another value: one warning naming it (at most 32 characters), then ignored; strict: ExportConfigError', () => {
    logs = captureDiag();
    expect(resolveExportConfig({}, { CODEX_OTEL_METRICS_GENAI: 'yes' }).genAi).toBeUndefined();
    expect(logs.count(/ignoring CODEX_OTEL_METRICS_GENAI "yes" is not true or false/)).toBe(1);
    resolveExportConfig({}, { CODEX_OTEL_METRICS_GENAI: '1'.repeat(10_000) });
    expect(logs.count(new RegExp(`"${'1'.repeat(32)}" is not`))).toBe(1);
    let error: unknown;
    try {
      resolveExportConfig({ strict: true }, { CODEX_OTEL_METRICS_GENAI: 'on' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExportConfigError);
    expect((error as ExportConfigError).code).toBe('invalid_option');
  });

  it('the option wins over the variable', async () => {
    const names = async (options: Parameters<typeof demoExport>[1]) =>
      JSON.stringify(await demoExport('producer', options)).match(/"name":"gen_ai\.[a-z_.]+"/g) ?? [];
    expect(await names({ genAi: false, env: { CODEX_OTEL_METRICS_GENAI: 'true' } })).toEqual([]);
    expect((await names({ genAi: true, env: { CODEX_OTEL_METRICS_GENAI: 'false' } })).length).toBe(3);
  });
});
