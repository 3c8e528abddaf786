import { open } from 'node:fs/promises';

/** The last `lines` lines of a file (reads only its end), or [] when it does not exist. */
export async function tailFile(path: string, lines: number): Promise<string[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const chunk = Math.min(size, Math.max(8192, lines * 400));
    const buffer = Buffer.alloc(chunk);
    await handle.read(buffer, 0, chunk, size - chunk);
    const text = buffer.toString('utf8');
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    // The first line may be cut in the middle when we did not read from the start.
    if (chunk < size) all.shift();
    return all.slice(-lines);
  } finally {
    await handle.close();
  }
}

/**
 * Follows a file like `tail -f`, calling `onLines` with each batch of new complete lines,
 * until `signal` aborts. Polls (250 ms): works the same on every OS and filesystem.
 */
export async function followFile(path: string, onLines: (lines: string[]) => void, signal: AbortSignal): Promise<void> {
  let position = -1;
  let partial = '';
  while (!signal.aborted) {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch {
      handle = undefined;
    }
    if (handle) {
      try {
        const { size } = await handle.stat();
        if (position < 0 || size < position) position = position < 0 ? size : 0;
        if (size > position) {
          const buffer = Buffer.alloc(size - position);
          await handle.read(buffer, 0, buffer.length, position);
          position = size;
          const text = partial + buffer.toString('utf8');
          const parts = text.split('\n');
          partial = parts.pop() ?? '';
          if (parts.length > 0) onLines(parts);
        }
      } finally {
        await handle.close();
      }
    }
    await new Promise<void>((resolvePromise) => {
      const timer = setTimeout(resolvePromise, 250);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolvePromise();
        },
        { once: true },
      );
    });
  }
}
