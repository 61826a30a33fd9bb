import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dashboardCommand } from '../../src/cli/dashboard.js';
import { renderDashboardJson } from '../../src/dashboard/dashboard.js';
import { METRICS } from '../../src/generated/catalog.js';
import { capture } from '../capture.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('codex-otel-metrics dashboard', () => {
  it('prints the default dashboard to stdout', async () => {
    const out = capture(process.stdout);
    expect(await dashboardCommand([])).toBe(0);
    expect(out()).toBe(renderDashboardJson(METRICS));
  });

  it('writes --out with the requested naming and datasource', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-dash-'));
    try {
      const err = capture(process.stderr);
      const file = join(dir, 'nested', 'd.json');
      expect(await dashboardCommand(['--out', file, '--naming', 'plain', '--datasource', 'ds1'])).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(renderDashboardJson(METRICS, { naming: 'plain', datasourceUid: 'ds1' }));
      expect(err()).toContain(`d.json (${METRICS.length} metrics, plain naming)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--attribution picks the target_info label of the Attribution row, none leaves it out, a bad label exits 2', async () => {
    let out = capture(process.stdout);
    expect(await dashboardCommand(['--attribution', 'user_id'])).toBe(0);
    expect(out()).toBe(renderDashboardJson(METRICS, { attributionLabel: 'user_id' }));
    vi.restoreAllMocks();
    out = capture(process.stdout);
    expect(await dashboardCommand(['--attribution', 'none'])).toBe(0);
    expect(out()).toBe(renderDashboardJson(METRICS, { attributionLabel: null }));
    vi.restoreAllMocks();
    const err = capture(process.stderr);
    expect(await dashboardCommand(['--attribution', 'user.id'])).toBe(2);
    expect(err()).toContain('--attribution must be a label name');
  });

  it('rejects an unknown naming with exit code 2', async () => {
    const err = capture(process.stderr);
    expect(await dashboardCommand(['--naming', 'utf8'])).toBe(2);
    expect(err()).toContain('unknown --naming "utf8"');
  });
});
