/**
 * The version of the `--json` contract. Documents only gain fields within a version; renaming or
 * removing a field, or changing its meaning, makes it 2.
 */
export const JSON_SCHEMA_VERSION = 1;

/** The fields every `--json` document starts with. */
export interface JsonEnvelope {
  /** Whether the command succeeded: exactly when devkit exits 0. */
  ok: boolean;
  schemaVersion: typeof JSON_SCHEMA_VERSION;
}

/**
 * Stamps a `--json` document with `ok` and `schemaVersion`, first, whatever the command: main.ts
 * passes every document it prints through here (results, errors, `--version`), so a new command
 * cannot leave them out. `ok` follows the exit code, so it never contradicts it; a handler's own
 * `ok` is replaced. A value that is not an object (none today) is kept under `data`.
 */
export function stampJson(value: unknown, exitCode: number): JsonEnvelope & Record<string, unknown> {
  const envelope: JsonEnvelope = { ok: exitCode === 0, schemaVersion: JSON_SCHEMA_VERSION };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ...envelope, data: value ?? null };
  const { ok: _ok, schemaVersion: _schemaVersion, ...rest } = value as Record<string, unknown>;
  return { ...envelope, ...rest };
}
