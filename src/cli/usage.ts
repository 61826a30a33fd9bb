// Usage errors of the CLI: a wrong option, a missing or bad value. They exit 2 with the command's
// usage on stderr; `--help` prints the usage on stdout and exits 0.

/** A command as main runs it. */
export interface CliCommand {
  readonly run: (argv: string[]) => Promise<number>;
  /** Printed by main for --help and usage errors; a command without one handles both itself. */
  readonly usage?: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** node:util parseArgs reports unknown options and bad values with these codes. */
export function isUsageError(err: unknown): err is Error {
  if (err instanceof UsageError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** `--help` or `-h` among the arguments (before a `--` terminator). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
