import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_VERSION, stampJson } from './json-output.js';

describe('stampJson', () => {
  it('puts ok and schemaVersion first, ok following the exit code', () => {
    const stamped = stampJson({ services: [] }, 0);
    expect(stamped).toEqual({ ok: true, schemaVersion: 1, services: [] });
    expect(Object.keys(stamped).slice(0, 2)).toEqual(['ok', 'schemaVersion']);
    expect(stampJson({ problems: ['x'] }, 1)).toEqual({ ok: false, schemaVersion: 1, problems: ['x'] });
    expect(stampJson({}, 130).ok).toBe(false);
  });

  it("replaces a handler's own ok and schemaVersion, so they never contradict the exit code", () => {
    const stamped = stampJson({ ok: true, schemaVersion: 2, dryRun: true }, 1);
    expect(stamped).toEqual({ ok: false, schemaVersion: JSON_SCHEMA_VERSION, dryRun: true });
    expect(Object.keys(stamped)).toEqual(['ok', 'schemaVersion', 'dryRun']);
  });

  it('keeps a value that is not an object under data', () => {
    expect(stampJson(['a'], 0)).toEqual({ ok: true, schemaVersion: 1, data: ['a'] });
    expect(stampJson(undefined, 0)).toEqual({ ok: true, schemaVersion: 1, data: null });
  });
});
