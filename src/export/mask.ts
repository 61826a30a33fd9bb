// Printable forms of export settings. Credentials (URL user info, query strings, header values)
// never leave these functions, whatever the input.

/** `https://***@host:4318/v1/metrics?***`: the URL with its user info and query masked. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    if (parsed.search) parsed.search = '?***';
    if (parsed.hash) parsed.hash = '';
    return parsed.toString();
  } catch {
    // Not a URL: the text may still hold `user:password`, so none of it is shown.
    return `<not a valid URL, ${url.length} characters>`;
  }
}

/** Header names with their values masked: `authorization=***,x-tenant=***`. */
export function maskHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.keys(headers).map((k) => `${k}=***`).join(',') || 'none';
}
