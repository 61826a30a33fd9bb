// Export headers from OTEL_EXPORTER_OTLP_(METRICS_)HEADERS (`name=value,…`, values URL-decoded) and
// the `headers` option, checked before Node sees them. A malformed entry is the usual way a
// credential leaks: `Authorization: Basic dG9rZW4=` (a colon instead of `=`) makes the whole
// `Authorization: Basic dG9rZW4` a header *name*, which Node then quotes in its error, the exporter
// in diag, and describeConfig() as a name. So an entry is either valid or never shown, in any part:
// messages name its position only.
import { ExportConfigError } from './errors.js';
import { reportLine } from './report.js';

/** An RFC 9110 token: what Node accepts as a header name. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node accepts in a header value (no control character but tab, nothing past U+00FF). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]+$/;

const WHAT =
  'is not name=value with a header name of letters, digits and !#$%&\'*+-.^_`|~ and a non-empty value without control characters ' +
  '(a colon instead of "=", as in "Authorization: Basic ...", makes the whole entry a name)';

/**
 * The valid entries of `raw` (a `name=value` list). Malformed entries are an ExportConfigError
 * (`strict`) or dropped with one line; either way only their positions (1-based) are named.
 */
export function headersFromEnv(raw: string | undefined, source: string, strict: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  const entries = raw.split(',');
  const bad: number[] = [];
  entries.forEach((entry, i) => {
    if (entry.trim() === '') return; // `a=1,,b=2` and a trailing comma hold no entry
    const eq = entry.indexOf('=');
    const name = eq === -1 ? '' : entry.slice(0, eq).trim();
    const value = eq === -1 ? '' : decode(entry.slice(eq + 1).trim());
    if (HEADER_NAME.test(name) && HEADER_VALUE.test(value)) out[name] = value;
    else bad.push(i + 1);
  });
  if (bad.length > 0) malformed(bad, entries.length, source, strict);
  return out;
}

/** The `headers` option, held to the same rules (values must be strings). */
export function headersFromOption(headers: Readonly<Record<string, unknown>> | undefined, strict: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined || headers === null) return out;
  if (typeof headers !== 'object') throw new TypeError('headers must be an object of header names to string values');
  const names = Object.keys(headers);
  const bad: number[] = [];
  names.forEach((name, i) => {
    const value = headers[name];
    if (HEADER_NAME.test(name) && typeof value === 'string' && HEADER_VALUE.test(value)) out[name] = value;
    else bad.push(i + 1);
  });
  if (bad.length > 0) malformed(bad, names.length, 'the headers option', strict);
  return out;
}

function malformed(positions: readonly number[], total: number, source: string, strict: boolean): void {
  const which = positions.length === 1 ? `entry ${positions[0]}` : `entries ${positions.slice(0, 10).join(', ')}${positions.length > 10 ? ', ...' : ''}`;
  const message = `${source}: ${which} of ${total} ${WHAT}; not shown, as it may hold a credential`;
  if (strict) throw new ExportConfigError('invalid_header', message);
  reportLine('error', `codex-otel-metrics: ignoring ${message}`);
}

/** URL-decoded per the OTLP exporter spec; kept as written when it is not valid percent-encoding. */
function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
