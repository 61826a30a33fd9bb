// The `[analytics]`/`[otel]` configuration of docs/codex-cli.md, read from the page: the interop
// tests run the real Codex CLI with exactly what the docs tell users to write, so the two cannot
// drift. Only the documented endpoint is replaced by the test receiver's (a free port).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Code } from 'mdast';
import { parseMarkdown } from '../../src/catalog/markdown.js';

export const CODEX_CLI_DOC = resolve('docs/codex-cli.md');
/** The endpoint the documented snippets use. */
export const DOCUMENTED_ENDPOINT = 'http://127.0.0.1:4318/v1/metrics';

/** Every TOML code block of the page, in order. */
export function tomlBlocks(text = readFileSync(CODEX_CLI_DOC, 'utf8')): string[] {
  return parseMarkdown(text, CODEX_CLI_DOC)
    .children.filter((n): n is Code => n.type === 'code' && n.lang === 'toml')
    .map((n) => `${n.value}\n`);
}

/** The documented snippet for `protocol` (`binary` or `json`), with `metricsUrl` as its endpoint. */
export function otelSnippet(protocol: string, metricsUrl: string): string {
  const blocks = tomlBlocks().filter((b) => /^\[otel\]$/m.test(b) && b.includes(`protocol = "${protocol}"`));
  if (blocks.length !== 1) throw new Error(`${CODEX_CLI_DOC} must hold exactly one [otel] TOML block with protocol = "${protocol}" (found ${blocks.length})`);
  const [block] = blocks;
  if (block.split(DOCUMENTED_ENDPOINT).length !== 2) throw new Error(`the ${protocol} snippet of ${CODEX_CLI_DOC} must name the endpoint ${DOCUMENTED_ENDPOINT} once`);
  return block.replace(DOCUMENTED_ENDPOINT, metricsUrl);
}
