import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { OciStore, parseRef, resolveRef, type Descriptor } from '@devkit/artifact';
import type { ProjectContext } from '@devkit/config';

/** The store folder devkit.json names (artifacts.store), default `.devkit/store`. */
export function storeRoot(ctx: ProjectContext): string {
  const configured = ctx.config.artifacts?.store ?? '.devkit/store';
  return isAbsolute(configured) ? configured : join(ctx.root, configured);
}

export function openProjectStore(ctx: ProjectContext): Promise<OciStore> {
  return OciStore.open(storeRoot(ctx));
}

/** devkit's own version: part of every inputs digest and every provenance statement. */
export function devkitVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Resolves `<name>@<digest>`, `<name>:<tag>` or `<name>` in the store. */
export async function resolveInStore(store: OciStore, text: string): Promise<{ name: string; descriptor: Descriptor }> {
  return resolveRef(await store.readIndex(), parseRef(text), store.root);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
