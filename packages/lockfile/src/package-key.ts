/** Splits a v9 package key (`@scope/name@1.0.0`, `foo@https://host/foo.tgz`) into name and version. */
export function splitPackageKey(key: string): { name: string; version: string } {
  const at = key.indexOf('@', 1);
  if (at === -1) return { name: key, version: '' };
  return { name: key.slice(0, at), version: key.slice(at + 1) };
}
