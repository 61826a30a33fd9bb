// `npm run bench`: runs the benchmark (see docs/performance.md) and, for the full preset, writes the
// results section of docs/performance.md and its summary table from this one run.
//
//   npm run bench                    full run (up to ~10 minutes on 2 cores), writes both docs
//   npm run bench -- --quick         smoke run of every section (under a minute), writes nothing
//   npm run bench -- --tiny          seconds; what test/bench/ runs
//   --json                           the whole result as JSON on stdout instead of Markdown
//   --no-write                       full run without touching the docs
//   --out-dir DIR                    write docs/performance.md under DIR instead
//   --from FILE                      no measuring: render (and write) a result saved with --json
//   --only SECTION[,SECTION]         only these sections (coldImport, grid, collection); writes nothing
//   --series N[,N] --ops OP[,OP]     only these grid series counts / operations; writes nothing
// Progress goes to stderr.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runBench } from './harness.js';
import { renderResults, writeDocs } from './report.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    tiny: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'out-dir': { type: 'string' },
    from: { type: 'string' },
    only: { type: 'string' },
    series: { type: 'string' },
    ops: { type: 'string' },
  },
});
const log = (message) => process.stderr.write(`${message}\n`);

/** A result saved with --json; lines before the JSON (`npm run` prints a banner on stdout) are skipped. */
function readSaved(file) {
  const text = readFileSync(file, 'utf8');
  const start = text.search(/^\{/m);
  if (start < 0) throw new Error(`${file}: no JSON object (save one with npm run bench -- --json > FILE)`);
  return JSON.parse(text.slice(start));
}

const list = (text) => text?.split(',').map((s) => s.trim());
const only = list(values.only);
const narrow = { series: list(values.series)?.map(Number), ops: list(values.ops) };
const narrowed = only !== undefined || narrow.series !== undefined || narrow.ops !== undefined;
const result = values.from ? readSaved(values.from) : await runBench(values.tiny ? 'tiny' : values.quick ? 'quick' : 'full', log, only, narrow);
const preset = result.preset;
process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderResults(result)}\n`);
// Only a full run documents numbers; --out-dir lets any run write elsewhere (the test does).
// A run of some sections or cells only (--only, --series, --ops) would blank the others' tables: it writes nothing.
const root = narrowed || result.narrowed ? undefined : (values['out-dir'] ?? (preset === 'full' && !values['no-write'] ? fileURLToPath(new URL('..', import.meta.url)) : undefined));
if (root) log(`wrote ${writeDocs(result, root).join(', ')} under ${root}`);
