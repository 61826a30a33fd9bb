// "See note" fields: how resolveNotes reads note prose (subjects per clause, qualifiers,
// abbreviations and parentheses) and where buildCatalog refuses to guess (negations, other metrics).
import { describe, expect, it } from 'vitest';
import { loadCatalogFiles } from '../../src/catalog/build.js';
import { resolveNotes } from '../../src/catalog/notes.js';
import { parseAttributes } from '../../src/catalog/parse-attributes.js';
import { parseMetricDocument } from '../../src/catalog/parse-metrics.js';
import { METRICS } from '../../src/generated/catalog.js';
import { ATTRIBUTES_DOC, attributesText, build, caught, EXPECTED_SEE_NOTE_FIELDS, lineContaining, METRICS_DOC, metricRow as row, metricsDoc, metricsText } from './helpers.js';

const attributes = parseAttributes(attributesText, ATTRIBUTES_DOC);

/** Two "See note" metrics and one listed-fields metric; `hooks.run` sits in another table. */
function doc(...notes: string[]): string {
  return metricsDoc(
    [
      'Tools',
      [row('mcp.call', 'counter', 'See note', 'MCP calls.'), row('mcp.call.duration_ms', 'histogram', 'See note', 'MCP call duration.'), row('tool.call', 'counter', '`tool`, `success`', 'Tool calls.')],
      notes,
    ],
    ['Hooks', [row('hooks.run', 'counter', '`status`', 'Hook runs.')]],
  );
}

type Resolved = Record<string, [required: string[], optional: string[]]>;

/** resolveNotes on the notes of the Tools table, with the names buildCatalog would give it. */
function resolve(...notes: string[]): { fields: Resolved; problems: { line: number; reason: string }[] } {
  const parsed = parseMetricDocument(doc(...notes), 'metrics.md');
  const table = parsed.rows[0].table;
  const subjects = new Set(parsed.rows.filter((r) => r.table === table && r.fields === null).map((r) => r.name));
  const { fields, problems } = resolveNotes(
    parsed.notes.filter((n) => n.table === table),
    { isSubject: (n) => subjects.has(n), isMetric: (n) => parsed.rows.some((r) => r.name === n), isField: (n) => attributes.general.has(n) },
  );
  return { fields: Object.fromEntries([...fields].map(([m, f]) => [m, [[...f.required], [...f.optional]]])), problems };
}

const BOTH = 'The `mcp.call` and `mcp.call.duration_ms` metrics include `status`';
const CALL = 'The `mcp.call` metric includes `status`';

describe('resolveNotes', () => {
  it.each<[string, string[], Resolved]>([
    // Subjects
    ['a clause naming two metrics gives its fields to both', [`${BOTH} and \`tool\`.`], { 'mcp.call': [['status', 'tool'], []], 'mcp.call.duration_ms': [['status', 'tool'], []] }],
    ['a later clause naming one metric is about that metric only', [`${BOTH}; \`mcp.call\` also includes \`tool\`.`], { 'mcp.call': [['status'], ['tool']], 'mcp.call.duration_ms': [['status'], []] }],
    ['a later clause naming the other metric moves the subject', ['`mcp.call` includes `status`; `mcp.call.duration_ms` includes `tool`.'], { 'mcp.call': [['status'], []], 'mcp.call.duration_ms': [['tool'], []] }],
    ['the subject carries over to the next clause', [`${BOTH}; normal emissions also include \`tool\`.`], { 'mcp.call': [['status'], ['tool']], 'mcp.call.duration_ms': [['status'], ['tool']] }],
    ['the subject carries over to the next sentence', [`${CALL}. Normal emissions also include \`tool\`.`], { 'mcp.call': [['status'], ['tool']] }],
    ['the subject carries over a sentence that only names another metric', [`${CALL}. Unlike \`hooks.run\`, it is emitted per call. It also includes \`tool\`.`], { 'mcp.call': [['status'], ['tool']] }],
    ['the subject does not carry over to the next paragraph', [`${CALL}.`, 'Normal emissions include `tool`.'], { 'mcp.call': [['status'], []] }],
    ['prefixed metric names', ['The `codex.mcp.call` metric includes `status`.'], { 'mcp.call': [['status'], []] }],
    ['a metric named after its fields', ['`status` is included in `mcp.call`.'], { 'mcp.call': [['status'], []] }],
    // Qualifiers: each makes the fields of its clause (and only those) optional
    ['"when"', [`${CALL}; \`tool\` when available.`], { 'mcp.call': [['status'], ['tool']] }],
    ['"When" (any case)', [`${CALL}. When available, it includes \`tool\`.`], { 'mcp.call': [['status'], ['tool']] }],
    ['"if"', [`${CALL}; \`tool\` if known.`], { 'mcp.call': [['status'], ['tool']] }],
    ['"on failure"', [`${CALL} and, on failure, \`tool\`.`], { 'mcp.call': [['status'], ['tool']] }],
    ['"on failures"', [`${CALL} and, on failures, \`tool\`.`], { 'mcp.call': [['status'], ['tool']] }],
    ['"may"', [`${CALL}; it may include \`tool\`.`], { 'mcp.call': [['status'], ['tool']] }],
    ['"also"', [`${CALL}; it also includes \`tool\`.`], { 'mcp.call': [['status'], ['tool']] }],
    ['"optionally"', [`${CALL}; it optionally includes \`tool\`.`], { 'mcp.call': [['status'], ['tool']] }],
    ['no qualifier: required', [`${CALL}; it includes \`tool\`.`], { 'mcp.call': [['status', 'tool'], []] }],
    ['"and" alone does not end the qualified clause', [`${CALL}, plus \`connector_id\` and \`connector_name\` when available.`], { 'mcp.call': [['status'], ['connector_id', 'connector_name']] }],
    // Abbreviations and parentheses stay inside their clause
    ['"e.g." in parentheses', [`${CALL} and, when available (e.g. \`connector_id\`), \`connector_name\`.`], { 'mcp.call': [['status'], ['connector_id', 'connector_name']] }],
    ['"e.g."', [`${CALL} and, when available, connector fields, e.g. \`connector_id\`.`], { 'mcp.call': [['status'], ['connector_id']] }],
    ['"i.e."', [`${CALL} and, when available, the connector, i.e. \`connector_id\` and \`connector_name\`.`], { 'mcp.call': [['status'], ['connector_id', 'connector_name']] }],
    ['"etc."', [`${CALL} and, when available, connector details etc. such as \`connector_id\`.`], { 'mcp.call': [['status'], ['connector_id']] }],
    ['"vs."', [`${CALL} and, when available, names vs. ids: \`connector_name\`, \`connector_id\`.`], { 'mcp.call': [['status'], ['connector_name', 'connector_id']] }],
    ['a clause break inside parentheses', [`${CALL} and, when available (\`connector_id\`; \`connector_name\`, and \`tool\`), the connector.`], { 'mcp.call': [['status'], ['connector_id', 'connector_name', 'tool']] }],
    ['a sentence end closes an unclosed parenthesis', [`${CALL} (see below. It may include \`tool\`; it includes \`connector_id\`.`], { 'mcp.call': [['status', 'connector_id'], ['tool']] }],
    // A field named twice: required wins, whatever the order
    ['optional, then required', [`${CALL}; it may include \`tool\`. It always includes \`tool\`.`], { 'mcp.call': [['status', 'tool'], []] }],
    ['required, then optional', [`${CALL} and \`tool\`; it may include \`tool\`.`], { 'mcp.call': [['status', 'tool'], []] }],
    // Negations without fields are fine
    ['a negation in a clause without fields', [`${CALL}, but blocked calls may not include any fields.`], { 'mcp.call': [['status'], []] }],
  ])('%s', (_title, notes, expected) => {
    expect(resolve(...notes)).toEqual({ fields: expected, problems: [] });
  });

  it('fields before any metric is named are not given to anyone', () => {
    expect(resolve(`Normal emissions include \`tool\`. ${CALL}.`)).toEqual({ fields: { 'mcp.call': [['status'], []] }, problems: [] });
  });
});

/** The CatalogError buildCatalog throws for `text` (fails the test when it builds). */
const catalogError = (text: string) => caught(() => build(text));

describe('buildCatalog refuses notes it cannot read', () => {
  const NEGATED = [
    ['never', 'they never include `tool`'],
    ['not', 'they do not include `tool`'],
    ['no', 'they have no `tool`'],
    ['none', 'they include none of `tool`'],
    ['nor', 'they include neither `tool` nor `success`'],
    ['without', 'they are emitted without `tool`'],
    ['except', 'they include every field except `tool`'],
    ['cannot', 'they cannot include `tool`'],
    ["n't", "they don't include `tool`"],
    ['not', 'they may not include `tool`'],
  ];
  it.each(NEGATED)('"%s" in a clause listing fields is an error at that clause: %s', (word, clause) => {
    const text = doc(`${BOTH};\n${clause}.`);
    const err = catalogError(text);
    expect({ file: err.file, line: err.line }).toEqual({ file: 'metrics.md', line: lineContaining(text, clause) });
    expect(err.reason).toMatch(/^cannot tell whether `tool`(, `success` are| is) included: the clause says "[^"]+"; rephrase the note$/);
    expect(err.reason).toContain(`the clause says "${word}"`);
  });

  it('"but never" in the same clause as required fields', () => {
    const text = doc(`${BOTH} but never \`tool\`.`);
    const err = catalogError(text);
    expect(err.message).toBe(`metrics.md:${lineContaining(text, 'but never')}: cannot tell whether \`status\`, \`tool\` are included: the clause says "never"; rephrase the note`);
  });

  it.each([
    ['another table', 'hooks.run', `${BOTH}.\nUnlike \`hooks.run\`, they include \`tool\`.`],
    ['its own table, with listed fields', 'tool.call', `${BOTH}.\nLike \`tool.call\`, they include \`tool\`.`],
    ['another table, in another clause of the sentence', 'hooks.run', `${BOTH}; see\n\`hooks.run\` for hooks.`],
    ['another table, before any subject', 'hooks.run', `Unlike \`hooks.run\`, the MCP metrics include \`status\`.\n${BOTH}.`],
    ['another table, prefixed', 'codex.hooks.run', `${BOTH}.\nUnlike \`codex.hooks.run\`, they include \`tool\`.`],
  ])('a sentence listing fields that names a metric of %s', (_where, name, note) => {
    const text = doc(note);
    const err = catalogError(text);
    expect(err.message).toBe(
      `metrics.md:${lineContaining(text, `\`${name}\``, lineContaining(text, '| `tool.call` |') + 1)}: note sentence lists fields but also names \`${name}\`, which is not a "See note" metric of this table: cannot tell which metric the fields belong to; rephrase the note`,
    );
  });
});

describe('the docs/metrics.md notes', () => {
  const catalog = loadCatalogFiles(METRICS_DOC, ATTRIBUTES_DOC);
  const fieldsOf = (c = catalog) => Object.fromEntries(c.metrics.map((m) => [m.name, [m.required, m.optional]]));

  it.each(EXPECTED_SEE_NOTE_FIELDS)('%s: required %j, optional %j', (name, required, optional) => {
    expect(fieldsOf()[name]).toEqual([required, optional]);
  });

  it('resolve every metric exactly as the committed registry', () => {
    expect(fieldsOf()).toEqual(Object.fromEntries(METRICS.map((m) => [m.name, [m.required, m.optional]])));
  });

  // The mcp sentences share a paragraph with the tool.call note: rewrite them, keep the rest.
  const MCP_SENTENCES = /The `mcp\.call` and `mcp\.call\.duration_ms` metrics include `status`;.*$/m;
  const MCP_NOTE = lineContaining(metricsText, 'The `mcp.call` and `mcp.call.duration_ms` metrics include `status`;');
  const withMcpNote = (note: string) => {
    expect(metricsText).toMatch(MCP_SENTENCES);
    return metricsText.replace(MCP_SENTENCES, note);
  };

  it.each<[string, Resolved]>([
    [
      `${BOTH}; \`mcp.call\` also includes \`tool\`.`,
      { 'mcp.call': [['status'], ['tool']], 'mcp.call.duration_ms': [['status'], []] },
    ],
    [
      `${BOTH} and, when available (e.g. \`connector_id\`), \`connector_name\`.`,
      { 'mcp.call': [['status'], ['connector_id', 'connector_name']], 'mcp.call.duration_ms': [['status'], ['connector_id', 'connector_name']] },
    ],
    [
      `${BOTH}. See \`hooks.run\` for hooks. Normal calls also include \`tool\`.`,
      { 'mcp.call': [['status'], ['tool']], 'mcp.call.duration_ms': [['status'], ['tool']] },
    ],
  ])('rewritten mcp.call note: %s', (note, expected) => {
    const got = fieldsOf(build(withMcpNote(note)));
    expect({ 'mcp.call': got['mcp.call'], 'mcp.call.duration_ms': got['mcp.call.duration_ms'] }).toEqual(expected);
  });

  it.each([
    [`${BOTH} but never \`tool\`.`, 'cannot tell whether `status`, `tool` are included'],
    [`${BOTH}. Unlike \`hooks.run\`, they include \`tool\`.`, 'also names `hooks.run`, which is not a "See note" metric of this table'],
  ])('rewritten mcp.call note that cannot be read: %s', (note, fragment) => {
    const err = catalogError(withMcpNote(note));
    expect(err.message).toContain(`metrics.md:${MCP_NOTE}: `);
    expect(err.reason).toContain(fragment);
  });
});
