import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy result, after as many checks as it takes', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : undefined), {
      what: 'the third call',
      intervalMs: 1,
    });
    expect(value).toBe('ready after 3');
    expect(calls).toBe(3);
  });

  it('awaits asynchronous checks', async () => {
    let calls = 0;
    await expect(
      waitFor(() => Promise.resolve(++calls === 2), { what: 'the second call', intervalMs: 1 }),
    ).resolves.toBe(true);
  });

  it('fails at the deadline naming what it waited for and what it saw', async () => {
    await expect(
      waitFor(() => false, {
        what: 'a line on stderr',
        timeoutMs: 50,
        intervalMs: 5,
        detail: () => 'stderr so far: nothing',
      }),
    ).rejects.toThrow(/^timed out after 50 ms waiting for a line on stderr\nstderr so far: nothing$/);
  });

  it('gives up at once when failIf names a reason, without checking again', async () => {
    let calls = 0;
    const error = await waitFor(() => ++calls > 1000, {
      what: 'the upload',
      timeoutMs: 10_000,
      failIf: () => calls >= 2 && 'devkit exited 3',
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('gave up waiting for the upload: devkit exited 3');
    expect(calls).toBe(2);
  });
});
