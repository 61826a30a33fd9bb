// Checks the fenced code blocks of Markdown files by language (the conventions are documented in
// docs/development.md, "Every code block is checked"): TypeScript/JavaScript collected for one tsc
// run, JSON/YAML/TOML parsed (Prometheus YAML through promtool where installed, Collector YAML against
// the component keys of test/fleet/collector-keys.ts), shell commands
// checked against package.json, the CLI's own --help and the environment variables the repository
// reads; `text output` passes; anything else fails with file:line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Code, Html, Link, Parent, Root, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { collectorKeyProblems } from '../fleet/collector-keys.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface Block {
  /** Repository-relative Markdown file. */
  readonly file: string;
  /** Line of the opening fence (1-based); the code starts on the next line. */
  readonly line: number;
  readonly lang: string | null;
  readonly meta: string | null;
  readonly value: string;
  /** `<!-- excerpt: PATH -->` right before the block. */
  readonly excerpt?: string;
}

export interface Failure {
  readonly where: string;
  readonly message: string;
}

const TS_LANGS = new Set(['ts', 'typescript', 'tsx']);
const JS_LANGS = new Set(['js', 'javascript']);
const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

/** README.md and every Markdown file under docs/ (pages added later included). */
export function documentationFiles(root = ROOT): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
  return ['README.md', ...walk(join(root, 'docs')).map((p) => relative(root, p))].sort();
}

export function codeBlocks(file: string, text: string): Block[] {
  const tree: Root = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const blocks: Block[] = [];
  const visit = (node: Parent): void => {
    node.children.forEach((child: RootContent, i: number) => {
      if (child.type === 'code') {
        const code = child as Code;
        const before = node.children[i - 1];
        const excerpt = before?.type === 'html' ? /^<!--\s*excerpt:\s*(\S+)\s*-->$/.exec((before as Html).value.trim())?.[1] : undefined;
        blocks.push({ file, line: code.position!.start.line, lang: code.lang ?? null, meta: code.meta ?? null, value: code.value, ...(excerpt ? { excerpt } : {}) });
      } else if ('children' in child) visit(child as Parent);
    });
  };
  visit(tree);
  return blocks;
}

/** Relative links whose target file does not exist (anchors are not checked). */
export function brokenLinks(file: string, text: string, root = ROOT): Failure[] {
  const tree: Root = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const failures: Failure[] = [];
  const visit = (node: Parent): void => {
    for (const child of node.children) {
      if (child.type === 'link') {
        const url = (child as Link).url.split('#')[0];
        if (url && !/^[a-z][a-z0-9+.-]*:/i.test(url) && !existsSync(join(root, dirname(file), decodeURI(url)))) {
          failures.push({ where: `${file}:${child.position!.start.line}`, message: `link to ${url}, which does not exist` });
        }
      }
      if ('children' in child) visit(child as Parent);
    }
  };
  visit(tree);
  return failures;
}

/** What the shell checks compare against: scripts, CLI commands and flags, environment variables. */
export interface Reality {
  readonly packageName: string;
  readonly tarball: string;
  readonly scripts: ReadonlySet<string>;
  /** CLI command → flags its --help mentions (the key '' holds the top-level flags). */
  readonly cli: ReadonlyMap<string, ReadonlySet<string>>;
  readonly envNames: ReadonlySet<string>;
}

/**
 * Environment variables documented but read by others than this repository's code: the Codex CLI's
 * home directory, and what @opentelemetry/sdk-node and the OTLP exporters read on their own.
 */
const EXTERNAL_ENV = [
  'CODEX_HOME',
  'OTEL_METRICS_EXPORTER',
  'OTEL_TRACES_EXPORTER',
  'OTEL_LOGS_EXPORTER',
  'OTEL_LOG_LEVEL',
  'OTEL_EXPORTER_OTLP_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_CLIENT_KEY',
  'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY',
  'OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE',
];

/** Programs a shell block may run besides npm, npx, node and the CLI: common tools, and the ones the docs are about. */
const KNOWN_PROGRAMS = new Set([
  'cd', 'git', 'docker', 'promtool', 'prometheus', 'curl', 'zstd', 'gzip', 'gunzip', 'cat', 'ls', 'mkdir', 'cp', 'mv', 'rm',
  'echo', 'printf', 'wait', 'kill', 'sleep', 'tar', 'weaver', 'codex', 'esbuild', 'rollup', 'true',
]);

function filesUnder(dir: string, suffix: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'node_modules' || e.name === 'generated' ? [] : filesUnder(join(dir, e.name), suffix)) : suffix.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Reads package.json, the built CLI's --help of each command, and every OTEL_/CODEX_ name the repository's code mentions. */
export function readReality(root = ROOT): Reality {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };
  const bin = join(root, 'bin', 'codex-otel-metrics.js');
  const help = (args: string[]): string => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`codex-otel-metrics ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  const flags = (text: string) => new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
  const top = help(['--help']);
  const cli = new Map<string, ReadonlySet<string>>([['', new Set(['--help', '-h', '--version', '-v', ...flags(top)])]]);
  for (const m of top.matchAll(/^ {2}([a-z][a-z-]*) {2,}/gm)) cli.set(m[1], new Set(['--help', '-h', ...flags(help([m[1], '--help']))]));
  const sources = [...filesUnder(join(root, 'src'), /\.ts$/), ...filesUnder(join(root, 'test'), /\.(ts|mjs)$/), ...filesUnder(join(root, 'bench'), /\.js$/), join(root, 'package.json'), join(root, '.ci', 'run')];
  const envNames = new Set(EXTERNAL_ENV);
  for (const file of sources) for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:OTEL|CODEX)_[A-Z0-9_]*[A-Z0-9]\b/g)) envNames.add(m[0]);
  return { packageName: pkg.name, tarball: `${pkg.name}-${pkg.version}.tgz`, scripts: new Set(Object.keys(pkg.scripts)), cli, envNames };
}

/** The checks that need no compiler; TypeScript and JavaScript blocks are returned for one tsc run. */
export function checkBlocks(blocks: readonly Block[], reality: Reality, root = ROOT): { failures: Failure[]; scripts: Block[] } {
  const failures: Failure[] = [];
  const scripts: Block[] = [];
  for (const block of blocks) {
    const where = `${block.file}:${block.line}`;
    const fail = (message: string) => failures.push({ where, message });
    const lang = block.lang?.toLowerCase() ?? null;
    try {
      if (block.excerpt !== undefined) checkExcerpt(block, root, fail);
      else if (lang === null) fail('code block without a language (ts, js, json, yaml, toml, sh, console, or `text output`)');
      else if (TS_LANGS.has(lang) || JS_LANGS.has(lang)) scripts.push(block);
      else if (lang === 'json') JSON.parse(block.value);
      else if (lang === 'yaml' || lang === 'yml') checkYaml(block, fail);
      else if (lang === 'toml') parseToml(block.value);
      else if (SHELL_LANGS.has(lang)) checkShell(block, reality, fail);
      else if (lang === 'text') {
        if (!/(^|\s)output(\s|$)/.test(block.meta ?? '')) fail('a `text` block must be marked as output: ```text output');
      } else fail(`unknown code block language "${block.lang}"`);
    } catch (err) {
      fail(`${lang} does not parse: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  return { failures, scripts };
}

function checkExcerpt(block: Block, root: string, fail: (m: string) => void): void {
  const path = join(root, block.excerpt!);
  if (!existsSync(path)) return fail(`excerpt of ${block.excerpt}, which does not exist`);
  const source = readFileSync(path, 'utf8').split('\n').map((l) => l.trimEnd());
  const lines = block.value.split('\n').map((l) => l.trimEnd());
  const at = source.findIndex((_, i) => lines.every((l, j) => source[i + j] === l));
  if (at < 0) fail(`not an excerpt of ${block.excerpt}: its lines do not appear there as written`);
}

function checkYaml(block: Block, fail: (m: string) => void): void {
  for (const doc of parseAllDocuments(block.value)) {
    if (doc.errors.length > 0) return fail(`yaml does not parse: ${doc.errors[0].message.split('\n')[0]}`);
    const value = doc.toJS() as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const keys = Object.keys(value);
    // A Collector configuration (or fragment): only keys checked against the component docs.
    if (keys.some((k) => ['receivers', 'processors', 'exporters'].includes(k))) {
      for (const problem of collectorKeyProblems(value as Record<string, unknown>)) fail(`Collector configuration: ${problem}`);
    }
    const mode = keys.includes('groups') ? ['rules'] : keys.some((k) => ['scrape_configs', 'rule_files', 'global'].includes(k)) ? ['config', '--syntax-only'] : undefined;
    if (mode && hasPromtool()) {
      const dir = join(tmpdir(), `docs-yaml-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${block.file.replace(/\W/g, '_')}-${block.line}.yaml`);
      writeFileSync(file, block.value);
      const r = spawnSync('promtool', ['check', ...mode, file], { encoding: 'utf8', timeout: 30_000 });
      rmSync(file, { force: true });
      if (r.status !== 0) fail(`promtool check ${mode[0]} fails: ${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-2).join(' ')}`);
    }
  }
}

let promtool: boolean | undefined;
const hasPromtool = (): boolean => (promtool ??= spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0);

// ------------------------------------------------------------------------------------------------
// Shell

/** Joins `\` continuations, keeps `$ ` lines of console blocks, drops comments and blank lines. */
function shellLines(block: Block): string[] {
  let lines = block.value.split('\n');
  if (block.lang?.toLowerCase() === 'console') lines = lines.filter((l) => l.startsWith('$ ')).map((l) => l.slice(2));
  const joined: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (line.endsWith('\\')) pending += `${line.slice(0, -1)} `;
    else {
      joined.push(pending + line);
      pending = '';
    }
  }
  if (pending) joined.push(pending);
  return joined;
}

/** Words and operators of one line (quotes removed, comments dropped). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '#' && !inWord) break;
    else if (/\s/.test(c)) end();
    else if ('&|;<>'.includes(c)) {
      end();
      const two = line.slice(i, i + 2);
      const op = two === '&&' || two === '||' || two === '>>' ? two : c;
      words.push(op);
      i += op.length - 1;
    } else {
      word += c;
      inWord = true;
    }
  }
  end();
  return words;
}

const OPERATORS = new Set(['&&', '||', '|', ';', '&']);
const REDIRECTS = new Set(['>', '>>', '<']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const NPM_COMMANDS = new Set(['ci', 'install', 'i', 'test', 'pack', 'run', 'exec', 'view', 'ls', 'uninstall']);

function checkShell(block: Block, reality: Reality, fail: (m: string) => void): void {
  const text = block.value;
  for (const line of shellLines(block)) {
    const words = shellWords(line);
    let command: string[] = [];
    const segments: string[][] = [];
    for (let i = 0; i < words.length; i++) {
      if (OPERATORS.has(words[i])) {
        segments.push(command);
        command = [];
      } else if (REDIRECTS.has(words[i]) || /^\d$/.test(words[i]) && REDIRECTS.has(words[i + 1] ?? '')) {
        i += REDIRECTS.has(words[i]) ? 1 : 2; // the redirection and its file
      } else command.push(words[i]);
    }
    segments.push(command);
    for (const segment of segments) if (segment.length > 0) checkCommand(segment, text, reality, fail);
  }
}

function checkCommand(words: string[], blockText: string, reality: Reality, fail: (m: string) => void): void {
  let i = 0;
  const assigned: string[] = [];
  if (words[0] === 'export') {
    for (const w of words.slice(1)) {
      const name = ASSIGNMENT.exec(w)?.[1] ?? w;
      if (!reality.envNames.has(name)) fail(`export ${name}: not an environment variable this repository reads`);
    }
    return;
  }
  while (i < words.length && ASSIGNMENT.test(words[i])) assigned.push(ASSIGNMENT.exec(words[i++])![1]);
  if (i === words.length) {
    // Only assignments: shell variables, used later in the block, or environment variables.
    for (const name of assigned) if (!blockText.includes(`$${name}`) && !reality.envNames.has(name)) fail(`${name}=: neither used in the block nor an environment variable this repository reads`);
    return;
  }
  for (const name of assigned) if (!reality.envNames.has(name)) fail(`${name}=…: not an environment variable this repository reads`);
  const [program, ...args] = words.slice(i);
  if (program === 'npm') return checkNpm(args, reality, fail);
  if (program === 'npx') {
    const at = args.findIndex((a) => !a.startsWith('-')); // npx's own flags (-y) come first
    const tool = args[at];
    const toolArgs = args.slice(at + 1);
    if (tool === reality.packageName) return checkCli(toolArgs, reality, fail);
    if (!KNOWN_PROGRAMS.has(tool ?? '')) fail(`npx ${tool}: not a program the docs may run (known: ${[...KNOWN_PROGRAMS].join(', ')})`);
    return;
  }
  if (program === reality.packageName || program.endsWith(`/.bin/${reality.packageName}`)) return checkCli(args, reality, fail);
  if (program === 'node') {
    if (args[0] === `bin/${reality.packageName}.js`) return checkCli(args.slice(1), reality, fail);
    const script = args.find((a) => !a.startsWith('-'));
    if (script && /^(bench|scripts|test|bin|examples)\//.test(script) && !existsSync(join(ROOT, script))) fail(`node ${script}: no such file in the repository`);
    return;
  }
  if (program.startsWith('./')) return; // a script of the reader's own
  if (!KNOWN_PROGRAMS.has(program)) fail(`${program}: not a program the docs may run (known: npm, npx, node, ${reality.packageName}, ${[...KNOWN_PROGRAMS].join(', ')}, or ./your-script)`);
}

function checkNpm(args: string[], reality: Reality, fail: (m: string) => void): void {
  const [sub, ...rest] = args;
  if (!NPM_COMMANDS.has(sub ?? '')) return fail(`npm ${sub ?? ''}: not an npm command the docs use (${[...NPM_COMMANDS].join(', ')})`);
  if (sub === 'run' && !reality.scripts.has(rest[0] ?? '')) fail(`npm run ${rest[0] ?? ''}: no such script in package.json`);
  if (sub === 'test' && !reality.scripts.has('test')) fail('npm test: no test script in package.json');
  for (const arg of rest) {
    if (arg.endsWith('.tgz') && arg.includes(reality.packageName) && !arg.endsWith(`/${reality.tarball}`) && arg !== reality.tarball) fail(`${arg}: npm pack writes ${reality.tarball}`);
  }
}

function checkCli(args: string[], reality: Reality, fail: (m: string) => void): void {
  const end = args.indexOf('--');
  const words = end < 0 ? args : args.slice(0, end);
  const first = words.find((w) => !w.startsWith('-'));
  const command = first !== undefined && words.indexOf(first) === 0 ? first : '';
  const flags = reality.cli.get(command);
  if (flags === undefined) return fail(`${reality.packageName} ${command}: no such command (${[...reality.cli.keys()].filter(Boolean).join(', ')})`);
  for (const word of words) {
    if (!word.startsWith('-') || word === '-') continue;
    const flag = word.split('=')[0];
    if (!flags.has(flag)) fail(`${reality.packageName}${command ? ` ${command}` : ''} ${flag}: not an option its --help lists`);
  }
}

// ------------------------------------------------------------------------------------------------
// TypeScript and JavaScript: one tsc run

/**
 * Writes each block as a module of its own under `dir` (inside the repository, so that
 * `codex-otel-metrics` resolves to the package itself through its `exports`, as in a user's
 * project) and type-checks them all with one tsc run. Errors are mapped back to file:line.
 */
export function typeCheck(blocks: readonly Block[], dir: string, root = ROOT): Failure[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, Block>();
  for (const block of blocks) {
    const js = JS_LANGS.has(block.lang!.toLowerCase());
    const name = `${block.file.replace(/[^A-Za-z0-9]/g, '_')}_L${block.line}.${js ? 'mjs' : 'mts'}`;
    // `export {}` makes every block a module of its own (its names do not clash with another block's).
    writeFileSync(join(dir, name), `${block.value}\nexport {};\n`);
    files.set(name, block);
  }
  const preludes = ['prelude.d.ts', 'prelude-modules.d.ts'].map((f) => relative(dir, join(root, 'test', 'docs', f)));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        allowJs: true,
        checkJs: true,
        types: ['node'],
      },
      files: [...preludes, ...files.keys()],
    }),
  );
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  const r = spawnSync(tsc, ['-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) return [];
  const failures: Failure[] = [];
  for (const line of `${r.stdout}${r.stderr}`.split('\n').filter(Boolean)) {
    const m = /([^/\\\s(]+)\((\d+),(\d+)\): (error TS\d+: .*)$/.exec(line);
    const block = m ? files.get(m[1]) : undefined;
    if (m && block) failures.push({ where: `${block.file}:${block.line + Number(m[2])}`, message: m[4] });
    else if (!/^\s/.test(line)) failures.push({ where: dirname(tsc), message: line });
  }
  return failures.length > 0 ? failures : [{ where: 'tsc', message: `exited ${r.status}: ${r.stdout}${r.stderr}` }];
}
