// Deterministic pack of a ~200 MB tree (many small files, a few large ones): devkit's packer
// (streamed tar → parallel block gzip → blob store) against GNU
// `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner | gzip -6` on the same tree.
// Also reports devkit's peak memory on a 50 MB and the 200 MB tree: it must not grow with the tree.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, WORK, report, sh, timeCommand } from './lib/harness.mjs';

if (process.argv[2] === '--child') {
  // One pack, in its own process so its peak RSS is its own.
  const [tree, store] = process.argv.slice(3);
  const { OciStore, packLayer, scanDirectory } = await import(join(REPO_ROOT, 'packages/artifact/dist/index.js'));
  rmSync(store, { recursive: true, force: true });
  const s = await OciStore.open(store);
  const layer = await packLayer(await scanDirectory(tree), s);
  process.stdout.write(
    `${JSON.stringify({ size: layer.size, uncompressed: layer.uncompressedSize, entries: layer.entries, maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
  process.exit(0);
}

/** A seeded PRNG, so the tree is the same every time it is made. */
function prng(seed) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const WORDS =
  'const let function return import export from await async class extends interface type string number boolean null undefined true false if else for while switch case break continue new this super try catch finally throw yield delete typeof instanceof void in of'.split(
    ' ',
  );

/** Text-like content that compresses like source code (gzip ≈ 4:1). */
function textBlock(rand, bytes) {
  const parts = [];
  let n = 0;
  while (n < bytes) {
    const w = WORDS[Math.floor(rand() * WORDS.length)] + (rand() < 0.3 ? `_${Math.floor(rand() * 1000)}` : '');
    parts.push(w);
    n += w.length + 1;
    if (rand() < 0.1) {
      parts.push('\n');
      n++;
    }
  }
  return Buffer.from(parts.join(' ')).subarray(0, bytes);
}

function makeTree(dir, megabytes) {
  const marker = join(dir, '.made');
  if (existsSync(marker)) return;
  rmSync(dir, { recursive: true, force: true });
  const rand = prng(megabytes);
  const target = megabytes * 1024 * 1024;
  let total = 0;
  // A few large files: two incompressible, two text.
  const large = Math.max(4, Math.floor(megabytes / 50));
  const largeSize = Math.floor((target * 0.4) / large);
  mkdirSync(join(dir, 'assets'), { recursive: true });
  for (let i = 0; i < large; i++) {
    const buf =
      i % 2 === 0
        ? Buffer.from(
            Array.from({ length: largeSize / 4 }, () => Math.floor(rand() * 2 ** 32)).flatMap((v) => [
              v & 255,
              (v >> 8) & 255,
              (v >> 16) & 255,
              v >>> 24,
            ]),
          )
        : textBlock(rand, largeSize);
    writeFileSync(join(dir, 'assets', `large-${i}.bin`), buf);
    total += buf.length;
  }
  // Many small files in nested folders.
  let i = 0;
  while (total < target) {
    const sub = join(dir, 'src', `m${i % 50}`, `d${Math.floor(i / 50) % 40}`);
    mkdirSync(sub, { recursive: true });
    const size = 512 + Math.floor(rand() * 12_000);
    writeFileSync(join(sub, `file-${i}.ts`), textBlock(rand, size));
    total += size;
    i++;
  }
  writeFileSync(marker, '');
}

function treeBytes(dir) {
  const r = sh('du', ['-sb', '--exclude=.made', dir]);
  return Number(r.stdout.split('\t')[0]);
}

mkdirSync(WORK, { recursive: true });
const sizes = [50, 200];
const results = {};
for (const mb of sizes) {
  const tree = join(WORK, `pack-tree-${mb}`);
  makeTree(tree, mb);
  results[mb] = { tree, bytes: treeBytes(tree) };
}

const big = results[200];
const store = join(WORK, 'pack-store');
const peerOut = join(WORK, 'pack-peer.tar.gz');
const peerCmd = `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --exclude=./.made -C "${big.tree}" -cf - . | gzip -6 > "${peerOut}"`;
const devkit = timeCommand(process.execPath, [new URL(import.meta.url).pathname, '--child', big.tree, store], {
  runs: 3,
  warmup: 1,
});
const peer = timeCommand('sh', ['-c', peerCmd], { runs: 3, warmup: 1 });

const child = (tree) =>
  JSON.parse(
    spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', tree, store], { encoding: 'utf8' })
      .stdout,
  );
const small = child(results[50].tree);
const large = child(big.tree);
const mbps = (ms) => Math.round((big.bytes / 1024 / 1024 / (ms / 1000)) * 10) / 10;
report('pack-200mb-tree-vs-gnu-tar-gzip6', devkit, peer, {
  tree_mb: Math.round(big.bytes / 1024 / 1024),
  entries: large.entries,
  devkit_mb_per_s: mbps(devkit.median),
  peer_mb_per_s: mbps(peer.median),
  throughput_ratio: Math.round((peer.median / devkit.median) * 100) / 100,
  devkit_gz_bytes: large.size,
  peer_gz_bytes: statSync(peerOut).size,
  peak_rss_mb_50mb_tree: Math.round(small.maxRssKb / 1024),
  peak_rss_mb_200mb_tree: Math.round(large.maxRssKb / 1024),
});
rmSync(store, { recursive: true, force: true });
rmSync(peerOut, { force: true });
