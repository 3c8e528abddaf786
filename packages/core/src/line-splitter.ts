import { StringDecoder } from 'node:string_decoder';

/**
 * Past this many bytes without a line break the pending text is handed out as a line of its
 * own: a program that never prints a newline must not grow memory without bound.
 */
const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Turns output chunks into whole lines. A chunk boundary can fall inside a line or inside a
 * multi-byte UTF-8 character; both are kept until the next chunk (or `end`) completes them, so
 * no line is ever cut in two and no character is replaced by U+FFFD. `\r\n` ends a line too.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';

  /** The lines this chunk completes (without their line break). */
  push(chunk: Buffer | string): string[] {
    const text = this.#pending + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
    const lines = text.split('\n');
    this.#pending = lines.pop() ?? '';
    if (this.#pending.length > MAX_LINE_CHARS) {
      lines.push(this.#pending);
      this.#pending = '';
    }
    return lines.map(stripCarriageReturn);
  }

  /** The last line when the output did not end with a line break (and any incomplete character, as U+FFFD). */
  end(): string[] {
    const rest = this.#pending + this.#decoder.end();
    this.#pending = '';
    return rest === '' ? [] : rest.split('\n').map(stripCarriageReturn);
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/**
 * The last `limit` bytes of a stream of chunks: what an error keeps of a command's output, so a
 * command that prints gigabytes before failing costs a bounded amount of memory.
 */
export class OutputTail {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #dropped = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.#limit) {
      const first = this.#chunks[0]!;
      const cut = Math.min(first.length, this.#size - this.#limit);
      if (cut === first.length) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(cut);
      this.#size -= cut;
      this.#dropped += cut;
    }
  }

  /** Bytes that no longer fit and were dropped from the front. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The kept text; a character cut at the front by the bound is dropped, not mangled. */
  text(): string {
    let bytes = Buffer.concat(this.#chunks);
    if (this.#dropped > 0) {
      // Skip UTF-8 continuation bytes (10xxxxxx) left over from a character cut at the front.
      let start = 0;
      while (start < bytes.length && start < 4 && (bytes[start]! & 0xc0) === 0x80) start++;
      bytes = bytes.subarray(start);
    }
    return bytes.toString('utf8');
  }
}
