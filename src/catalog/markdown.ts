// Thin helpers over mdast: the one place that knows how GFM tables look as a syntax tree.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Nodes, Root, Table, TableCell } from 'mdast';
import { checkMarkdownLimits } from './markdown-limits.js';

/** Parses `file`'s text after checking it against MARKDOWN_LIMITS (a CatalogError past one). */
export function parseMarkdown(text: string, file: string): Root {
  checkMarkdownLimits(text, file);
  return fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

export function lineOf(node: { position?: { start: { line: number } } }): number {
  return node.position?.start.line ?? 0;
}

/** Plain text of a node, inline code included, whitespace collapsed. */
export function textOf(node: Nodes): string {
  return rawText(node).replace(/\s+/g, ' ').trim();
}

function rawText(node: Nodes): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  if ('children' in node) return (node.children as Nodes[]).map(rawText).join('');
  return '';
}

/** Values written as inline code in a cell, in order (`a`, `b` -> ['a', 'b']). */
export function codeSpans(node: Nodes): string[] {
  const out: string[] = [];
  const walk = (n: Nodes): void => {
    if (n.type === 'inlineCode') out.push(n.value);
    else if ('children' in n) for (const c of n.children as Nodes[]) walk(c);
  };
  walk(node);
  return out;
}

/** Text of a cell outside its code spans (to detect stray prose where only names belong). */
export function textOutsideCode(node: Nodes): string {
  if (node.type === 'inlineCode') return ' ';
  if (node.type === 'text') return node.value;
  if ('children' in node) return (node.children as Nodes[]).map(textOutsideCode).join('');
  return '';
}

export interface TableView {
  readonly node: Table;
  readonly header: string[];
  readonly rows: { line: number; cells: TableCell[] }[];
}

export function viewTable(table: Table): TableView {
  const [head, ...body] = table.children;
  return {
    node: table,
    header: head ? head.children.map((c) => textOf(c).toLowerCase()) : [],
    rows: body.map((r) => ({ line: lineOf(r), cells: r.children })),
  };
}
