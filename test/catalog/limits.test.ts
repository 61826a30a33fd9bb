// Markdown limits, checked before parsing: each limit is a CatalogError at `file:line` (or `file:0`
// for the size), the real docs are far inside every one, and the hostile inputs of issue #13 end in
// such an error in a child process with a 256 MB heap instead of hanging or overflowing the stack.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import { MARKDOWN_LIMITS, checkMarkdownLimits } from '../../src/catalog/markdown-limits.js';
import { parseMetricDocument } from '../../src/catalog/parse-metrics.js';
import { attributesText, build, mapTables, metricsText, REPO_ROOT, withTempDir } from './helpers.js';

function limitError(text: string): CatalogError | undefined {
  try {
    checkMarkdownLimits(text, 'doc.md');
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogError);
    return err as CatalogError;
  }
}

function expectLimitError(text: string, line: number, fragment: string): void {
  const err = limitError(text);
  expect(err, 'expected a limit error').toBeDefined();
  expect({ file: err!.file, line: err!.line }).toEqual({ file: 'doc.md', line });
  expect(err!.message).toBe(`doc.md:${line}: ${err!.reason}`);
  expect(err!.reason).toContain(fragment);
}

const L = MARKDOWN_LIMITS;

describe('Markdown limits', () => {
  it('are documented numbers, and the real docs are far inside them', () => {
    expect(MARKDOWN_LIMITS).toEqual({ maxBytes: 1_048_576, maxNonSpace: 196_608, maxLines: 2_500, maxNesting: 16, maxContainerMarkers: 2_000, maxPipes: 10_000, maxBacktickRun: 32, maxBrackets: 1_000, maxDelimiters: 4_000 });
    expect(limitError(metricsText)).toBeUndefined();
    expect(limitError(attributesText)).toBeUndefined();
    // Documents three times today's metrics.md, ten times today's attributes.md, and today's with
    // every table column padded to its widest cell (as formatters align them) pass too.
    expect(limitError(metricsText.repeat(3))).toBeUndefined();
    expect(limitError(attributesText.repeat(10))).toBeUndefined();
    expect(padded(metricsText).length).toBeGreaterThan(L.maxNonSpace);
    expect(limitError(padded(metricsText))).toBeUndefined();
  });

  it.each([
    ['size', ' '.repeat(L.maxBytes), ' '.repeat(L.maxBytes + 1), 0, `larger than ${L.maxBytes} bytes`],
    ['size in UTF-8 bytes', ' '.repeat(L.maxBytes - 2) + 'é', ' '.repeat(L.maxBytes - 2) + 'éé', 0, 'larger than'],
    ['characters other than spaces', 'x'.repeat(L.maxNonSpace), 'y'.repeat(L.maxNonSpace) + '\n z', 2, `more than ${L.maxNonSpace} characters other than spaces`],
    ['lines', '\n'.repeat(L.maxLines - 1), '\n'.repeat(L.maxLines), L.maxLines + 1, `more than ${L.maxLines} lines`],
    ['lines ending in a lone CR', '\r'.repeat(L.maxLines - 1), '\r'.repeat(L.maxLines), L.maxLines + 1, `more than ${L.maxLines} lines`],
    ['block quotes on one line', '>'.repeat(16) + ' a', '>'.repeat(17) + ' a', 1, 'nested more than 16 deep'],
    ['list items on one line', '- '.repeat(11) + 'a', '- '.repeat(12) + 'a', 1, 'nested more than 16 deep'],
    ['ordered list items', '1. '.repeat(11) + 'a', '1. '.repeat(12) + 'a', 1, 'nested more than 16 deep'],
    ['indentation before a list marker', ' '.repeat(30) + '- a', ' '.repeat(32) + '- a', 1, 'nested more than 16 deep'],
    ['list and quote markers in the document', '> a\n'.repeat(L.maxContainerMarkers), '> a\n'.repeat(L.maxContainerMarkers + 1), L.maxContainerMarkers + 1, `more than ${L.maxContainerMarkers} block quote or list markers`],
    ['table pipes', '|'.repeat(L.maxPipes), '|'.repeat(L.maxPipes + 1), 1, `more than ${L.maxPipes} |`],
    ['a backtick run', '`'.repeat(32) + ' x', 'a\n' + '`'.repeat(33), 2, 'a run of more than 32 backticks'],
    ['brackets', '[]'.repeat(L.maxBrackets / 2), '[]'.repeat(L.maxBrackets / 2) + '\n[', 2, `more than ${L.maxBrackets} [ or ]`],
    ['emphasis delimiters', '*_'.repeat(L.maxDelimiters / 2), '~'.repeat(L.maxDelimiters + 1), 1, `more than ${L.maxDelimiters} *, _ or ~`],
  ])('%s: the limit passes, past it is a CatalogError at file:line', (_label, at, over, line, fragment) => {
    expect(limitError(at)).toBeUndefined();
    expectLimitError(over, line, fragment);
  });

  it('deep indentation without a marker (code) opens nothing and passes', () => {
    expect(limitError('```\n' + `${' '.repeat(200)}deeply indented code\n`.repeat(100) + '```\n')).toBeUndefined();
    expect(limitError(' '.repeat(10_000))).toBeUndefined();
  });

  it('every parse entry point checks them (metrics and attributes documents)', () => {
    expect(() => parseMetricDocument('>'.repeat(100) + ' a', 'metrics.md')).toThrow(/^metrics\.md:1: block quotes and list items nested more than 16 deep/);
    expect(() => build(metricsText, '- '.repeat(100))).toThrow(/^attributes\.md:1: block quotes and list items nested more than 16 deep/);
  });
});

/** The hostile documents of issue #13. */
const HOSTILE: readonly [name: string, make: () => string, expected: RegExp][] = [
  ['100k nested > in 110 KB (hung > 120 s)', () => '>'.repeat(100_000) + ' a\n'.repeat(5_000).slice(0, 10_000), /:1: block quotes and list items nested more than 16 deep/],
  ['10k nested > (81 s, then a stack overflow)', () => '>'.repeat(10_000) + ' a\n', /:1: block quotes and list items nested more than 16 deep/],
  ['10k nested - (81 s, then a stack overflow)', () => '- '.repeat(10_000) + 'a\n', /:1: block quotes and list items nested more than 16 deep/],
  ['unclosed backtick runs in 4.3 MiB (quadratic)', () => unclosedBacktickRuns(4.3 * 1024 * 1024), /:0: the document is larger than 1048576 bytes/],
  ['unclosed backtick runs within the size limit', () => unclosedBacktickRuns(150_000), /:1: a run of more than 32 backticks/],
  ['2.45 MiB, 50,000 duplicate rows (OOM)', () => '| Metric | Type | Fields | Description |\n| --- | --- | --- | --- |\n' + '| `codex.turn.e2e_duration_ms` | histogram | `status` | End-to-end duration of a turn, padded to fifty bytes. |\n'.repeat(23_000), /:0: the document is larger than 1048576 bytes/],
  ['a 5 MiB table (OOM)', () => '| a | b |\n| - | - |\n' + '| x | y |\n'.repeat(524_288), /:0: the document is larger than 1048576 bytes/],
  ['a 1 MiB table of 950 KB of cells', () => '| a | b |\n| - | - |\n' + `| ${'x'.repeat(450)} | ${'y'.repeat(450)} |\n`.repeat(1_000), /:220: the document has more than 196608 characters other than spaces/],
  ['backslash escapes (the densest syntax) up to 1 MiB', () => '\\'.repeat(512 * 1024 - 8), /:1: the document has more than 196608 characters other than spaces/],
  ['nested strong emphasis within the size limit', () => '*'.repeat(40_000) + 'a' + '*'.repeat(40_000), /:1: more than 4000 \*, _ or ~/],
  ['link closers within the size limit', () => ']'.repeat(100_000), /:1: more than 1000 \[ or \]/],
];

/** Every table column padded to its widest cell, as Markdown formatters align tables. */
function padded(text: string): string {
  return mapTables(text, (rows) => {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    return rows.map((r, ri) => (ri === 1 ? `| ${widths.map((w) => '-'.repeat(Math.max(3, w))).join(' | ')} |` : `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`));
  });
}

function unclosedBacktickRuns(bytes: number): string {
  const runs: string[] = [];
  let size = 0;
  for (let n = 1; size < bytes; n++) {
    runs.push('`'.repeat(n));
    size += n + 1;
  }
  return runs.join(' ');
}

/**
 * Documents at the limits, made of what micromark handles worst. They must parse (or fail with a
 * CatalogError) in the same child: the limits are what keeps them within time and memory.
 */
const AT_LIMITS: readonly [name: string, make: () => string][] = [
  ['16 nested block quotes on 2,000 lines', () => `${'>'.repeat(16)} a\n`.repeat(124) + `${' '.repeat(30)}a\n`.repeat(2_300)],
  ['2,000 list items', () => '- a\n'.repeat(2_000)],
  ['4,000 emphasis delimiters in one paragraph', () => '*a **a '.repeat(666) + 'b' + ' a** a*'.repeat(666)],
  ['1,000 link brackets in one paragraph', () => '[a]('.repeat(500)],
  ['10,000 table cells', () => '| a '.repeat(50) + '|\n' + '| - '.repeat(50) + '|\n' + ('| `b` '.repeat(50) + '|\n').repeat(194)],
  ['1,250 setext headings', () => 'a\n=\n'.repeat(1_249)],
  ['the real metrics document three times', () => metricsText.repeat(3)],
  ['the real metrics document with every column padded to its widest cell', () => padded(metricsText)],
  ['96,000 backslash escapes (the densest syntax)', () => '\\\\ '.repeat(48_000)],
  ['10,000 padded table cells in 390 KB', () => `${'| h '.repeat(8)}|\n${'| - '.repeat(8)}|\n` + `${`| \`x\`${' '.repeat(40)}`.repeat(8)}|\n`.repeat(1_100)],
];

/**
 * Runs `codex-otel-metrics list --docs FILE` (the built CLI: bounded read, limits, parse, catalog)
 * for each document, in a child process with a 256 MB heap. The outcome is `catalog`, the one-line
 * CatalogError with the file name replaced by FILE, or `CRASH …` for anything else.
 */
function runChild(docs: readonly (readonly [string, () => string])[]): Map<string, string> {
  return withTempDir((dir) => {
    const attributes = join(dir, 'attributes.md');
    writeFileSync(attributes, attributesText);
    const outcomes = new Map<string, string>();
    docs.forEach(([name, make], i) => {
      const file = join(dir, `doc-${i}.md`);
      writeFileSync(file, make());
      const r = spawnSync(process.execPath, ['--max-old-space-size=256', join(REPO_ROOT, 'bin', 'codex-otel-metrics.js'), 'list', '--docs', file, '--attributes', attributes], {
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const oneLineError = r.status === 1 && /^[^\n]+\n$/.test(r.stderr) && r.stderr.startsWith(`${file}:`);
      if (r.status === 0) outcomes.set(name, 'catalog');
      else if (oneLineError) outcomes.set(name, r.stderr.trim().replace(file, 'FILE'));
      else outcomes.set(name, `CRASH status ${r.status} signal ${r.signal} ${r.error?.message ?? ''} ${r.stderr.slice(0, 500)}`);
    });
    return outcomes;
  });
}

describe('hostile documents end in a clean CatalogError (child process, 256 MB heap)', () => {
  it('each case of issue #13 is a file:line (or file:0) error', () => {
    const outcomes = runChild(HOSTILE.map(([name, make]) => [name, make]));
    for (const [name, , expected] of HOSTILE) expect(outcomes.get(name), name).toMatch(new RegExp(`^FILE${expected.source}`));
  }, 300_000);

  it('documents at the limits parse or fail cleanly, within the same memory', () => {
    const outcomes = runChild(AT_LIMITS);
    for (const [name] of AT_LIMITS) {
      const outcome = outcomes.get(name)!;
      expect(outcome, name).not.toMatch(/^CRASH/);
      expect(outcome === 'catalog' || /^FILE:\d+: /.test(outcome), `${name}: ${outcome}`).toBe(true);
      // Inside the limits: it reached the parser (these are not catalogs, so most end in a catalog error).
      expect(outcome, name).not.toMatch(/larger than|more than \d+|nested more than/);
    }
  }, 300_000);
});
