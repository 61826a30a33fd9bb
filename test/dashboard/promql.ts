// A deliberately small PromQL reader for tests: enough to pull metric names, matchers, grouping labels
// and variables out of the queries this package generates. It is not a PromQL parser.

export interface Selector {
  /** Metric name before `{`, or undefined for `{__name__=~"…"}`-style selectors. */
  readonly metric: string | undefined;
  readonly matchers: readonly { label: string; op: string; value: string }[];
}

const SELECTOR = /([A-Za-z_:][A-Za-z0-9_:]*)?\{([^{}]*)\}/g;
const MATCHER = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;
const GROUPING = /\b(?:by|without)\s*\(([^)]*)\)/g;
const VARIABLE = /\$(\w+)|\$\{(\w+)\}/g;

export function selectors(expr: string): Selector[] {
  return [...expr.matchAll(SELECTOR)]
    // `{{label}}` would only appear in legends; `[…]` ranges never contain braces.
    .map((m) => ({
      metric: m[1],
      matchers: [...m[2].matchAll(MATCHER)].map((x) => ({ label: x[1], op: x[2], value: x[3] })),
    }));
}

export function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(GROUPING)].flatMap((m) =>
    m[1]
      .split(',')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
}

export function variables(expr: string): string[] {
  return [...expr.matchAll(VARIABLE)].map((m) => m[1] ?? m[2]);
}

/** Labels a legend format refers to: `tool={{tool}}` → `tool`. */
export function legendLabels(legend: string): string[] {
  return [...legend.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
}

/** Words that look like Codex metric names anywhere in the query text (catches names outside selectors). */
export function codexIdentifiers(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...withoutStrings.matchAll(/\bcodex_[A-Za-z0-9_:]*/g)].map((m) => m[0]);
}

/** What Grafana would send with every variable at "All" and a fixed rate window. */
export function expandForPrometheus(expr: string, rateInterval: string): string {
  return expr.replace(/\$__rate_interval/g, rateInterval).replace(/\$\{?(\w+)\}?/g, '.*');
}
