import { constants, crc32, deflateRaw, type ZlibOptions } from 'node:zlib';

/**
 * Level 6 like `gzip -6`; 1 MiB blocks: large enough that priming each block with the
 * previous 32 KiB costs almost no ratio, small enough that a few in flight stay a few MiB.
 */
export const GZIP_LEVEL = 6;
export const GZIP_BLOCK_SIZE = 1 << 20;
const WINDOW = 32 * 1024;
/** Deflate's worst case for a block (stored blocks: 5 bytes per 16 KiB) plus the flush marker. */
const OUT_CHUNK = GZIP_BLOCK_SIZE + (GZIP_BLOCK_SIZE >> 10) + 1024;
/** Blocks compressing at once: enough to keep both cores (libuv's pool) busy. */
const IN_FLIGHT = 4;

/**
 * A gzip header with no name, no comment, mtime 0, XFL 0 and OS byte 255 ("unknown"): the
 * same 10 bytes on every machine.
 */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);

/** Describes the compressed stream, for the layer annotation (and `devkit why`). */
export function compressionLabel(): string {
  return `gzip level ${GZIP_LEVEL}, ${GZIP_BLOCK_SIZE / (1 << 20)} MiB blocks, zlib ${process.versions.zlib}`;
}

function deflateBlock(data: Buffer, options: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    deflateRaw(data, options, (error, out) => (error ? reject(error) : resolve(out))),
  );
}

export interface BlockGzip {
  write(data: Buffer): Promise<void>;
  /** Flushes the last block and the trailer; resolves with the uncompressed byte count. */
  end(): Promise<number>;
}

/**
 * Parallel, deterministic gzip. The input is cut at fixed 1 MiB offsets (never where reads
 * happened to end), each block is deflated on libuv's thread pool with the previous block's
 * last 32 KiB as its dictionary and ends on a sync flush, and the outputs are written in
 * order: one valid gzip member whose bytes depend only on the input and zlib — the scheme
 * pigz uses to spread one stream over cores.
 *
 * Node's bundled zlib (Chromium's) picks its match hash by CPU feature, so its bytes can
 * differ from upstream zlib and across CPUs without SSE4.2/ARMv8 CRC; the layer records the
 * digest of the uncompressed tar (diff_id) and the zlib version so a compressor difference
 * is told apart from a content difference.
 */
export function createBlockGzip(sink: (chunk: Buffer) => Promise<void>): BlockGzip {
  let block: Buffer = Buffer.allocUnsafe(GZIP_BLOCK_SIZE);
  let fill = 0;
  let crc = 0;
  let total = 0;
  let previousTail: Buffer | undefined;
  let started = false;
  const pending: { job: Promise<Buffer>; input: Buffer }[] = [];
  // Input blocks come back here once compressed: a handful of buffers serve the whole
  // stream, instead of a fresh MiB (page faults, garbage) per block.
  const free: Buffer[] = [];

  const begin = async () => {
    if (!started) {
      started = true;
      await sink(GZIP_HEADER);
    }
  };

  const submit = async (data: Buffer, last: boolean) => {
    await begin();
    crc = crc32(data, crc);
    total += data.length;
    // An output buffer larger than any block's deflate output: the block is compressed in
    // one trip to the thread pool, not one trip (and one main-thread callback) per 16 KiB.
    const options: ZlibOptions = {
      level: GZIP_LEVEL,
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      chunkSize: OUT_CHUNK,
    };
    if (previousTail) options.dictionary = previousTail;
    previousTail = Buffer.from(data.subarray(Math.max(0, data.length - WINDOW)));
    const job = deflateBlock(data, options);
    // Awaited in order below; this only keeps a failure from counting as unhandled meanwhile.
    job.catch(() => undefined);
    pending.push({ job, input: data });
    while (pending.length >= IN_FLIGHT || (last && pending.length > 0)) {
      const done = pending.shift()!;
      const out = await done.job;
      if (done.input.length === GZIP_BLOCK_SIZE) free.push(done.input);
      await sink(out);
    }
  };

  return {
    async write(data: Buffer) {
      let offset = 0;
      while (offset < data.length) {
        const n = Math.min(data.length - offset, GZIP_BLOCK_SIZE - fill);
        data.copy(block, fill, offset, offset + n);
        fill += n;
        offset += n;
        if (fill === GZIP_BLOCK_SIZE) {
          const full = block;
          block = free.pop() ?? Buffer.allocUnsafe(GZIP_BLOCK_SIZE);
          fill = 0;
          await submit(full, false);
        }
      }
    },
    async end() {
      await submit(block.subarray(0, fill), true);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(total % 2 ** 32, 4);
      await sink(trailer);
      return total;
    },
  };
}
