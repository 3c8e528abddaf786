import { describe, expect, it } from 'vitest';
import { createProgressView, formatElapsed, progressInterval } from './progress.js';
import { createStyle } from './render.js';

const plain = createStyle(false);

function view(intervalMs: number, live = false) {
  const lines: string[] = [];
  const liveShown: string[] = [];
  let clock = 0;
  const progress = createProgressView(
    {
      line: (text) => lines.push(text),
      live: live ? (text) => liveShown.push(text) : undefined,
      clearLive: () => liveShown.push('<clear>'),
    },
    plain,
    intervalMs,
    () => clock,
  );
  return { progress, lines, liveShown, advance: (ms: number) => (clock += ms) };
}

describe('progress without a terminal', () => {
  it('prints a start line, at most one line per interval per phase, and an end line with bytes and time', () => {
    const { progress, lines, advance } = view(10_000);
    progress.show({ type: 'progress', id: 'p', title: 'pushing api', phase: 'start', totalBytes: 4 * 1024 * 1024 });
    for (let i = 1; i <= 30; i++) {
      advance(1_000);
      progress.show({ type: 'progress', id: 'p', title: 'pushing api', phase: 'update', bytes: i * 100 * 1024 });
    }
    progress.show({ type: 'progress', id: 'p', title: 'pushing api', phase: 'end', bytes: 4 * 1024 * 1024, ok: true });
    progress.close();
    expect(lines).toEqual([
      '… pushing api (4.0 MiB)',
      '… pushing api: 1000.0 KiB of 4.0 MiB (24%), 10.0 s',
      '… pushing api: 2.0 MiB of 4.0 MiB (48%), 20.0 s',
      '… pushing api: 2.9 MiB of 4.0 MiB (73%), 30.0 s',
      '✓ pushing api: 4.0 MiB in 30.0 s',
    ]);
  });

  it('keeps phases apart and says when one stopped', () => {
    const { progress, lines, advance } = view(50);
    progress.show({ type: 'progress', id: 'a', title: 'native build a', phase: 'start' });
    progress.show({ type: 'progress', id: 'b', title: 'native build b', phase: 'start' });
    advance(60);
    progress.show({ type: 'progress', id: 'b', title: 'native build b', phase: 'update', bytes: 10 });
    progress.show({ type: 'progress', id: 'a', title: 'native build a', phase: 'end', ok: false });
    progress.close();
    expect(lines).toEqual([
      '… native build a',
      '… native build b',
      '… native build b: 10 B, 60 ms',
      '✗ native build a: stopped after 60 ms',
    ]);
  });

  it('gives work that reports no bytes a heartbeat line per interval', async () => {
    const lines: string[] = [];
    const progress = createProgressView({ line: (t) => lines.push(t), clearLive: () => undefined }, plain, 20);
    progress.show({ type: 'progress', id: 'd', title: 'debootstrap bullseye', phase: 'start' });
    await new Promise((resolve) => setTimeout(resolve, 110));
    progress.show({ type: 'progress', id: 'd', title: 'debootstrap bullseye', phase: 'end', ok: true });
    progress.close();
    const beats = lines.filter((l) => /^… debootstrap bullseye: running, \d+ ms$/.test(l));
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.length).toBeLessThanOrEqual(6);
    expect(lines.at(-1)).toMatch(/^✓ debootstrap bullseye: \d+ ms$/);
  });
});

describe('progress on a terminal', () => {
  it('redraws one live line and clears it at the end, printing no lines', () => {
    const { progress, lines, liveShown, advance } = view(10_000, true);
    progress.show({ type: 'progress', id: 'p', title: 'packing api app', phase: 'start', totalBytes: 2048 });
    advance(50);
    progress.show({ type: 'progress', id: 'p', title: 'packing api app', phase: 'update', bytes: 512 });
    advance(100);
    progress.show({ type: 'progress', id: 'p', title: 'packing api app', phase: 'update', bytes: 1024 });
    progress.show({ type: 'progress', id: 'p', title: 'packing api app', phase: 'end', bytes: 2048, ok: true });
    expect(lines).toEqual([]);
    expect(liveShown).toEqual([
      '… packing api app: 0 B of 2.0 KiB, 0 ms',
      '… packing api app: 1.0 KiB of 2.0 KiB (50%), 150 ms',
      '<clear>',
    ]);
  });
});

describe('progress settings', () => {
  it('reads DEVKIT_PROGRESS_INTERVAL_MS and falls back to 10 s on anything else', () => {
    expect(progressInterval({ DEVKIT_PROGRESS_INTERVAL_MS: '50' })).toBe(50);
    expect(progressInterval({})).toBe(10_000);
    expect(progressInterval({ DEVKIT_PROGRESS_INTERVAL_MS: 'fast' })).toBe(10_000);
    expect(progressInterval({ DEVKIT_PROGRESS_INTERVAL_MS: '0' })).toBe(10_000);
    expect(formatElapsed(302_000)).toBe('5m 02s');
  });
});
