// Resolves "See note" fields from the prose under a table.
//
// A note paragraph splits into sentences (at ". ", but not after "e.g.", "i.e.", "etc." or "vs.")
// and sentences into clauses (at ";", ", and", ", but", ", plus" and "and,"); nothing splits inside
// parentheses, except that a sentence end also closes them. A clause is about the "See note"
// metrics of the table that it names in backticks, else about those of the clause before it in the
// paragraph; its other backticked names are fields. Fields of a clause with a QUALIFIER are
// optional, the others required; a field required anywhere stays required.
// Rather than guess, a clause that lists fields beside a NEGATION, and a sentence that lists fields
// and names any other metric (another table's, or one whose row lists its fields), are problems.
import type { Nodes, Paragraph } from 'mdast';
import { DEFAULT_PREFIX } from './spec.js';

export interface NoteFields {
  readonly required: Set<string>;
  readonly optional: Set<string>;
  /** Line of the first field given to the metric. */
  line: number;
}

export interface NoteProblem {
  readonly line: number;
  readonly reason: string;
}

/** What the backticked names of a note can be. */
export interface NoteNames {
  /** A "See note" metric of the note's own table: the only metrics a note gives fields to. */
  isSubject(name: string): boolean;
  /** Any documented metric. */
  isMetric(name: string): boolean;
  /** A field of the attributes table. */
  isField(name: string): boolean;
}

interface Code {
  readonly value: string;
  readonly line: number;
}
interface Clause {
  text: string;
  codes: Code[];
}

// docs/metrics.md lists these words in its intro: keep the two in step.
const QUALIFIER = /\b(?:when|if|on failures?|may|also|optionally)\b/i;
const NEGATION = /\b(?:never|not|no|none|nor|without|except|cannot)\b|n['’]t\b/i;
// Abbreviations (kept as text), parentheses, sentence ends and clause breaks.
const TOKEN = /\b(?:e\.g|i\.e|etc|vs)\.|[()]|\.(?=\s|$)|;|,\s*(?:and|but|plus)\b,?|\band,/gi;

function splitSentences(paragraph: Paragraph, fallbackLine: number): Clause[][] {
  const sentences: Clause[][] = [];
  let clauses: Clause[] = [];
  let cur: Clause = { text: '', codes: [] };
  let depth = 0; // open parentheses
  const closeClause = () => {
    if (cur.text.trim() !== '' || cur.codes.length) clauses.push(cur);
    cur = { text: '', codes: [] };
  };
  const closeSentence = () => {
    closeClause();
    if (clauses.length) sentences.push(clauses);
    clauses = [];
    depth = 0;
  };
  const walk = (node: Nodes): void => {
    if (node.type === 'inlineCode') {
      cur.codes.push({ value: node.value, line: node.position?.start.line ?? fallbackLine });
      cur.text += '`code`';
    } else if (node.type === 'text') {
      let last = 0;
      for (const m of node.value.matchAll(TOKEN)) {
        const token = m[0];
        cur.text += node.value.slice(last, m.index);
        last = m.index + token.length;
        if (token === '.') {
          closeSentence();
          continue;
        }
        if (token === '(') depth++;
        else if (token === ')') depth = Math.max(0, depth - 1);
        if (depth === 0 && /^[;,]|and,$/i.test(token)) closeClause();
        else cur.text += token;
      }
      cur.text += node.value.slice(last);
    } else if ('children' in node) {
      for (const c of node.children as Nodes[]) walk(c);
    }
  };
  walk(paragraph);
  closeSentence();
  return sentences;
}

/** Fields for each "See note" metric the note paragraphs of one table name. */
export function resolveNotes(
  paragraphs: readonly { line: number; paragraph: Paragraph }[],
  { isSubject, isMetric, isField }: NoteNames,
): { fields: Map<string, NoteFields>; problems: NoteProblem[] } {
  const fields = new Map<string, NoteFields>();
  const problems: NoteProblem[] = [];
  // Metric names may carry the `codex.` prefix.
  const nameOf = ({ value: n }: Code) => (n.startsWith(DEFAULT_PREFIX) && isMetric(n.slice(DEFAULT_PREFIX.length)) ? n.slice(DEFAULT_PREFIX.length) : n);
  const notMetric = (c: Code) => !isMetric(nameOf(c)); // a field name, or an error once there is a subject
  const quote = (codes: Code[]) => codes.map((c) => `\`${c.value}\``).join(', ');

  for (const { line, paragraph } of paragraphs) {
    let subject: string[] = [];
    for (const sentence of splitSentences(paragraph, line)) {
      const codes = sentence.flatMap((c) => c.codes);
      const other = codes.find((c) => isMetric(nameOf(c)) && !isSubject(nameOf(c)));
      if (other && codes.some(notMetric)) {
        problems.push({ line: other.line, reason: `note sentence lists fields but also names \`${other.value}\`, which is not a "See note" metric of this table: cannot tell which metric the fields belong to; rephrase the note` });
        continue;
      }
      for (const clause of sentence) {
        const named = clause.codes.map(nameOf).filter(isSubject);
        if (named.length) subject = [...new Set(named)];
        const listed = clause.codes.filter(notMetric);
        const negation = NEGATION.exec(clause.text);
        if (negation && listed.length) {
          problems.push({ line: listed[0].line, reason: `cannot tell whether ${quote(listed)} ${listed.length > 1 ? 'are' : 'is'} included: the clause says "${negation[0]}"; rephrase the note` });
          continue;
        }
        if (subject.length === 0) continue;
        const qualified = QUALIFIER.test(clause.text);
        for (const code of listed) {
          const value = nameOf(code);
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
