/** A problem in the documentation, pointing at the line a person must fix. */
export class CatalogError extends Error {
  readonly file: string;
  readonly line: number;
  readonly reason: string;

  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'CatalogError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}
