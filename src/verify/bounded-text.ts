// Bounds on text that comes off the wire and ends up in messages, the report or retained points:
// a 1 MiB metric name must not be echoed (or kept) whole.

/** Names, units and descriptions longer than this are cut; OpenTelemetry caps instrument names at 255. */
export const MAX_ECHOED_CHARS = 256;
/** Violation and error messages are cut to this length. */
export const MAX_MESSAGE_CHARS = 1_024;

/**
 * `text`, or its first `max` characters followed by `…[N chars]` (N the original length). The
 * marker keeps a cut name from ever equalling a registry name. The cut is copied, because a V8
 * slice would keep the whole original string alive.
 */
export function boundText(text: string, max = MAX_ECHOED_CHARS): string {
  if (text.length <= max) return text;
  return `${copy(text.slice(0, max))}…[${text.length} chars]`;
}

/** A message with every run of more than MAX_ECHOED_CHARS non-space characters cut, then capped as a whole. */
export function boundMessage(message: string): string {
  if (message.length <= MAX_ECHOED_CHARS) return message;
  return boundText(message.replace(LONG_TOKEN, (token) => boundText(token)), MAX_MESSAGE_CHARS);
}

const LONG_TOKEN = new RegExp(`\\S{${MAX_ECHOED_CHARS + 1},}`, 'g');

function copy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
