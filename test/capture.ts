// Captures what a CLI command writes to stdout or stderr (restore with vi.restoreAllMocks()).
import { vi } from 'vitest';

export function capture(stream: NodeJS.WriteStream): () => string {
  let text = '';
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  return () => text;
}
