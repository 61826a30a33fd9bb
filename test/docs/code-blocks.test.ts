// Every fenced code block of README.md and docs/**/*.md is compiled, parsed or checked against the
// repository (conventions: docs/development.md, "Every code block is checked"). Needs the built
// dist/ (`npm test` builds first): TypeScript blocks import the package's published types, and shell
// blocks are compared with the built CLI's --help.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { brokenLinks, checkBlocks, codeBlocks, documentationFiles, readReality, ROOT, shellWords, typeCheck, type Block, type Reality } from './check-blocks.js';

const SNIPPETS = join(ROOT, '.tmp', 'docs-snippets');
let reality: Reality;
let blocks: Block[];

const show = (failures: readonly { where: string; message: string }[]) => failures.map((f) => `${f.where}: ${f.message}`);

beforeAll(() => {
  reality = readReality();
  blocks = documentationFiles().flatMap((file) => codeBlocks(file, readFileSync(join(ROOT, file), 'utf8')));
});

describe('the code blocks of README.md and docs/', () => {
  it('are found in every page', () => {
    expect(documentationFiles()).toContain('README.md');
    expect(documentationFiles()).toContain('docs/README.md');
    expect(blocks.length).toBeGreaterThan(30);
  });

  it('parse, or run against reality (json, yaml, toml, shell), and every block has a known language', () => {
    expect(show(checkBlocks(blocks, reality).failures)).toEqual([]);
  });

  it('docs/README.md indexes every page of docs/, one line each', () => {
    const index = readFileSync(join(ROOT, 'docs', 'README.md'), 'utf8');
    const pages = documentationFiles().filter((f) => f.startsWith('docs/') && f !== 'docs/README.md');
    const missing = pages.filter((f) => !index.split('\n').some((l) => l.startsWith(`- [${f.slice(5)}](${f.slice(5)})`)));
    expect(missing, 'add a line "- [page.md](page.md): what it holds." to docs/README.md').toEqual([]);
  });

  it('link only to files that exist', () => {
    expect(show(documentationFiles().flatMap((file) => brokenLinks(file, readFileSync(join(ROOT, file), 'utf8'))))).toEqual([]);
  });

  it('type-check (ts, js) against the package, in one tsc run', () => {
    const { scripts } = checkBlocks(blocks, reality);
    expect(scripts.length).toBeGreaterThan(8);
    expect(show(typeCheck(scripts, join(SNIPPETS, 'docs')))).toEqual([]);
  }, 120_000);
});

describe('the checker catches what is wrong, with file:line', () => {
  const BAD = [
    '# Bad page',
    '',
    '```',
    'no language',
    '```',
    '',
    '```text',
    'unmarked text',
    '```',
    '',
    '```promql',
    'rate(x[5m])',
    '```',
    '',
    '```json',
    '{ "a": 1, }',
    '```',
    '',
    '```yaml',
    'a: [1, 2',
    '```',
    '',
    '```toml',
    '[otel',
    '```',
    '',
    '```sh',
    'npm run no-such-script',
    'npx codex-otel-metrics verify --no-such-flag',
    'codex-otel-metrics frobnicate',
    'NO_SUCH_VARIABLE=1 node app.mjs',
    'make everything',
    'npm install ./codex-otel-metrics-9.9.9.tgz',
    '```',
    '',
    '```yaml',
    'groups:',
    '  - name: g',
    '    rules:',
    '      - alert: A',
    '        expr: rate(x[5m]',
    '```',
    '',
    '<!-- excerpt: bench/variants.js -->',
    '```js',
    'not in that file',
    '```',
    '',
    '```ts',
    "import { startCodexMetrics } from 'codex-otel-metrics';",
    "startCodexMetrics({ exitTimeoutMilis: 1 });",
    "const metrics = startCodexMetrics().metrics;",
    "metrics.add('no_such_metric');",
    '```',
    '',
    '```text output',
    'fine',
    '```',
  ].join('\n');

  it('reports each bad block at its line, and passes the good one', () => {
    const bad = codeBlocks('docs/bad.md', BAD);
    const { failures, scripts } = checkBlocks(bad, reality);
    const lines = show(failures);
    for (const expected of [
      /^docs\/bad\.md:3: code block without a language/,
      /^docs\/bad\.md:7: a `text` block must be marked as output/,
      /^docs\/bad\.md:11: unknown code block language "promql"/,
      /^docs\/bad\.md:15: json does not parse/,
      /^docs\/bad\.md:19: yaml does not parse/,
      /^docs\/bad\.md:23: toml does not parse/,
      /^docs\/bad\.md:27: npm run no-such-script: no such script/,
      /^docs\/bad\.md:27: codex-otel-metrics verify --no-such-flag: not an option its --help lists/,
      /^docs\/bad\.md:27: codex-otel-metrics frobnicate: no such command/,
      /^docs\/bad\.md:27: NO_SUCH_VARIABLE=…: not an environment variable/,
      /^docs\/bad\.md:27: make: not a program the docs may run/,
      /^docs\/bad\.md:27: \.\/codex-otel-metrics-9\.9\.9\.tgz: npm pack writes codex-otel-metrics-0\.1\.0\.tgz/,
      /^docs\/bad\.md:45: not an excerpt of bench\/variants\.js/,
    ]) {
      expect(lines.some((l) => expected.test(l)), `${expected} in\n${lines.join('\n')}`).toBe(true);
    }
    // promtool is installed by .ci/run (Debian's prometheus); without it rule files are only parsed.
    if (spawnSync('promtool', ['--version']).status === 0) expect(lines.find((l) => l.startsWith('docs/bad.md:36:'))).toMatch(/promtool check rules fails/);
    expect(lines.filter((l) => /:5[0-9]:/.test(l))).toEqual([]); // the text output block
    const typed = show(typeCheck(scripts, join(SNIPPETS, 'bad')));
    expect(typed.some((l) => /^docs\/bad\.md:51: error TS2561: .*exitTimeoutMilis/.test(l)), typed.join('\n')).toBe(true);
    expect(typed.some((l) => /^docs\/bad\.md:53: error TS\d+: .*no_such_metric/.test(l)), typed.join('\n')).toBe(true);
  }, 120_000);

  it('splits shell lines as a shell would (quotes, operators, comments)', () => {
    expect(shellWords(`A=1 npx codex-otel-metrics verify --require "Turn and tool" --json > r.json & # note`)).toEqual([
      'A=1', 'npx', 'codex-otel-metrics', 'verify', '--require', 'Turn and tool', '--json', '>', 'r.json', '&',
    ]);
    expect(shellWords(`npm ci && npm run demo; echo 'a # b' | cat`)).toEqual(['npm', 'ci', '&&', 'npm', 'run', 'demo', ';', 'echo', 'a # b', '|', 'cat']);
  });
});
