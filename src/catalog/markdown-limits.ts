// Limits on the Markdown handed to the parser, checked in one linear pass before parsing. micromark
// (behind mdast-util-from-markdown) is exact but not built for hostile input: deep block nesting
// overflows the stack after minutes, unclosed backtick runs of many lengths and piles of emphasis
// delimiters, brackets, list markers or table cells cost up to ten times what ordinary text does,
// and every character other than a space costs up to ~1 KB of heap (spaces, such as the padding of
// aligned tables, are nearly free). The count of those characters keeps the worst document within
// 256 MB of heap; the other limits are then set so that no document within them costs much more
// than ordinary text of the same size. docs/metrics.md (the larger document) is 55 KB and 325 lines
// with 10 list markers, 1,691 `|`, 477 `*`/`_`/`~` and 2 brackets: a document three times that, or
// today's with every table column padded to its widest cell (about 230 KB), passes every limit.
import { CatalogError } from './errors.js';

export const MARKDOWN_LIMITS = {
  /** UTF-8 bytes of one document (files are not read past it). */
  maxBytes: 1024 * 1024,
  /** Characters other than spaces and line endings: what the parser's memory and time grow with. */
  maxNonSpace: 192 * 1024,
  /** Lines of one document. */
  maxLines: 2_500,
  /**
   * Block nesting at the start of a line that opens a block quote or list item: each block quote `>`
   * or list marker (`-`, `+`, `*`, `1.`, `1)`) is one level, and every two columns of indentation
   * among them another (nested list items are indented).
   */
  maxNesting: 16,
  /** Block quote and list markers in one document. */
  maxContainerMarkers: 2_000,
  /** `|` in one document (table cells). */
  maxPipes: 10_000,
  /** Backticks in one run (code spans use 1–3, fences 3+). */
  maxBacktickRun: 32,
  /** `[` and `]` in one document (links, images, footnotes). */
  maxBrackets: 1_000,
  /** Emphasis and strikethrough delimiters `*`, `_`, `~` in one document (code spans included). */
  maxDelimiters: 4_000,
} as const;

export type MarkdownLimits = { readonly [K in keyof typeof MARKDOWN_LIMITS]: number };

/** Throws a CatalogError naming the file, the line and the limit when `text` exceeds one. */
export function checkMarkdownLimits(text: string, file: string, limits: MarkdownLimits = MARKDOWN_LIMITS): void {
  // Characters first: a string longer than maxBytes cannot be shorter in UTF-8, and the byte count
  // of a huge string is not worth computing.
  if (text.length > limits.maxBytes || Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new CatalogError(file, 0, `the document is larger than ${limits.maxBytes} bytes (the limit for a catalog document); split it or shorten it`);
  }
  let line = 1;
  let lineStart = true;
  let nonSpace = 0;
  let nesting = 0;
  let markers = 0;
  let pipes = 0;
  let indent = 0;
  let backticks = 0;
  let brackets = 0;
  let delimiters = 0;
  const fail = (reason: string): never => {
    throw new CatalogError(file, line, reason);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // CRLF counts once, a lone CR is a line ending too (as in micromark).
    if (c === NEWLINE || (c === CR && text.charCodeAt(i + 1) !== NEWLINE)) {
      if (++line > limits.maxLines) fail(`the document has more than ${limits.maxLines} lines (the limit for a catalog document)`);
      lineStart = true;
      nesting = indent = backticks = 0;
      continue;
    }
    if (c !== SPACE && c !== CR && ++nonSpace > limits.maxNonSpace) {
      fail(`the document has more than ${limits.maxNonSpace} characters other than spaces (the limit for a catalog document); split it or shorten it`);
    }
    if (c === BACKTICK) {
      if (++backticks > limits.maxBacktickRun) fail(`a run of more than ${limits.maxBacktickRun} backticks`);
    } else {
      backticks = 0;
    }
    if (c === OPEN_BRACKET || c === CLOSE_BRACKET) {
      if (++brackets > limits.maxBrackets) fail(`more than ${limits.maxBrackets} [ or ] in the document`);
    } else if (c === STAR || c === UNDERSCORE || c === TILDE) {
      if (++delimiters > limits.maxDelimiters) fail(`more than ${limits.maxDelimiters} *, _ or ~ in the document`);
    } else if (c === PIPE) {
      if (++pipes > limits.maxPipes) fail(`more than ${limits.maxPipes} | (table cells) in the document`);
    }
    if (!lineStart) continue;
    // Leading block structure: whitespace and container markers until the first other character.
    // Only a line with markers is judged: a line without continues (never opens) what earlier lines
    // opened, whatever its indentation, so deeply indented code is fine.
    if (c === SPACE || c === TAB) {
      indent += c === TAB ? 4 : 1;
      continue;
    }
    const marker = containerMarkerLength(text, i);
    if (marker === 0) {
      lineStart = false;
      continue;
    }
    if (++markers > limits.maxContainerMarkers) fail(`more than ${limits.maxContainerMarkers} block quote or list markers in the document`);
    if (++nesting + Math.floor(indent / 2) > limits.maxNesting) {
      fail(`block quotes and list items nested more than ${limits.maxNesting} deep at the start of this line`);
    }
    // The digits and dot of an ordered marker are counted here rather than visited again.
    nonSpace += marker - 1;
    i += marker - 1;
  }
}

/** Length of the block quote or list marker at `i` (without the space after it), 0 when there is none. */
function containerMarkerLength(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === GREATER) return 1;
  if (c === DASH || c === PLUS || c === STAR) return spaceOrEnd(text, i + 1) ? 1 : 0;
  let j = i;
  while (j < text.length && j - i < 9 && isDigit(text.charCodeAt(j))) j++;
  if (j === i) return 0;
  const after = text.charCodeAt(j);
  return (after === DOT || after === CLOSE_PAREN) && spaceOrEnd(text, j + 1) ? j - i + 1 : 0;
}

function spaceOrEnd(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === SPACE || c === TAB || c === NEWLINE || c === CR;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const NEWLINE = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const BACKTICK = 96;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const STAR = 42;
const UNDERSCORE = 95;
const TILDE = 126;
const PIPE = 124;
const GREATER = 62;
const DASH = 45;
const PLUS = 43;
const DOT = 46;
const CLOSE_PAREN = 41;
