// Configuration errors of startCodexMetrics: a code to branch on and a message a person can act on.
// Messages never quote an endpoint's credentials or a header value.

export type ExportConfigErrorCode = 'invalid_endpoint' | 'unsupported_protocol' | 'invalid_option' | 'invalid_header';

export class ExportConfigError extends Error {
  override readonly name = 'ExportConfigError';
  constructor(
    readonly code: ExportConfigErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
