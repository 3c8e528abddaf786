import { describe, expect, it } from 'vitest';
import { LineSplitter, OutputTail } from './line-splitter.js';

describe('LineSplitter', () => {
  it('keeps a line and a multi-byte character cut at any byte until the next chunk completes them', () => {
    const text = 'héllo wörld €\r\n😀 second\nlast without break';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const splitter = new LineSplitter();
      const lines = [
        ...splitter.push(bytes.subarray(0, cut)),
        ...splitter.push(bytes.subarray(cut)),
        ...splitter.end(),
      ];
      expect(lines).toEqual(['héllo wörld €', '😀 second', 'last without break']);
    }
  });

  it('gives every line of a byte-by-byte stream once, empty lines included', () => {
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (const byte of Buffer.from('a\n\nß\n', 'utf8')) lines.push(...splitter.push(Buffer.from([byte])));
    lines.push(...splitter.end());
    expect(lines).toEqual(['a', '', 'ß']);
  });
});

describe('OutputTail', () => {
  it('keeps only the last bytes, without a character cut in half at the front', () => {
    const tail = new OutputTail(8);
    tail.push(Buffer.from('0123456789'));
    tail.push(Buffer.from('ab€', 'utf8'));
    // 'ab€' is 5 bytes: the 8 kept are '789ab€'; the 3 dropped are counted.
    expect(tail.text()).toBe('789ab€');
    tail.push(Buffer.from('€€', 'utf8'));
    expect(tail.text()).toBe('€€');
    expect(tail.dropped).toBe(10 + 5 + 6 - 8);
  });
});
