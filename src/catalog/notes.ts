// Resolves "See note" fields from the prose under a table. A note sentence names its metrics in
// backticks and lists their fields in backticks; a clause qualified by "when", "on failures",
// "may", "also" or "if" makes its fields optional. A field required anywhere stays required.
import type { Nodes, Paragraph } from 'mdast';
import { DEFAULT_PREFIX } from './spec.js';

export interface NoteFields {
  readonly required: Set<string>;
  readonly optional: Set<string>;
  /** Line of the first sentence naming the metric. */
  line: number;
}

export interface NoteProblem {
  readonly line: number;
  readonly reason: string;
}

interface Code {
  readonly value: string;
  readonly line: number;
}
interface Clause {
  text: string;
  codes: Code[];
}

const QUALIFIER = /\b(when|on failures?|may|also|if|optionally)\b/i;
// Sentence ends (". ") and clause breaks ("; ", ", and", ", but", ", plus", " and,").
const BREAK = /(\.(?=\s|$)|;|,\s*(?:and|but|plus)\b,?|\band,)/;

function splitSentences(paragraph: Paragraph, fallbackLine: number): Clause[][] {
  const sentences: Clause[][] = [];
  let clauses: Clause[] = [];
  let cur: Clause = { text: '', codes: [] };
  const closeClause = () => {
    if (cur.text.trim() !== '' || cur.codes.length) clauses.push(cur);
    cur = { text: '', codes: [] };
  };
  const closeSentence = () => {
    closeClause();
    if (clauses.length) sentences.push(clauses);
    clauses = [];
  };
  const walk = (node: Nodes): void => {
    if (node.type === 'inlineCode') {
      cur.codes.push({ value: node.value, line: node.position?.start.line ?? fallbackLine });
      cur.text += '`code`';
    } else if (node.type === 'text') {
      // split() with one capture group alternates text (even indexes) and breaks (odd indexes).
      node.value.split(BREAK).forEach((part, i) => {
        if (i % 2 === 0) cur.text += part;
        else if (part === '.') closeSentence();
        else closeClause();
      });
    } else if ('children' in node) {
      for (const c of node.children as Nodes[]) walk(c);
    }
  };
  walk(paragraph);
  closeSentence();
  return sentences;
}

/**
 * Fields for each metric named by the note paragraphs. `isMetric` recognises metric names (with or
 * without prefix); every other code span in a sentence about a metric must be a known field.
 */
export function resolveNotes(
  paragraphs: readonly { line: number; paragraph: Paragraph }[],
  isMetric: (name: string) => boolean,
  isField: (name: string) => boolean,
): { fields: Map<string, NoteFields>; problems: NoteProblem[] } {
  const fields = new Map<string, NoteFields>();
  const problems: NoteProblem[] = [];
  const strip = (n: string) => (n.startsWith(DEFAULT_PREFIX) && isMetric(n.slice(DEFAULT_PREFIX.length)) ? n.slice(DEFAULT_PREFIX.length) : n);

  for (const { line, paragraph } of paragraphs) {
    let subject: string[] = [];
    for (const sentence of splitSentences(paragraph, line)) {
      const named = sentence.flatMap((c) => c.codes.map((x) => strip(x.value)).filter(isMetric));
      if (named.length) subject = [...new Set(named)];
      if (subject.length === 0) continue;
      for (const clause of sentence) {
        const qualified = QUALIFIER.test(clause.text);
        for (const code of clause.codes) {
          const value = strip(code.value);
          if (isMetric(value)) continue;
          if (!isField(value)) {
            problems.push({ line: code.line, reason: `note about \`${subject.join('`, `')}\` names \`${code.value}\`, which is neither a metric nor a field in the attributes table` });
            continue;
          }
          for (const metric of subject) {
            const entry = fields.get(metric) ?? { required: new Set<string>(), optional: new Set<string>(), line: code.line };
            if (qualified) {
              if (!entry.required.has(value)) entry.optional.add(value);
            } else {
              entry.required.add(value);
              entry.optional.delete(value);
            }
            fields.set(metric, entry);
          }
        }
      }
    }
  }
  return { fields, problems };
}
