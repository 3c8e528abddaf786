import { splitPackageKey } from './package-key.js';
import type { LockfileImporter, LockfilePackage, LockfileResolution, LockfileSnapshot } from './types.js';

/**
 * Reads the `packages:` section of a pnpm v9 lockfile without a YAML parser: it is the largest
 * part of the file, and pnpm writes it in one regular shape (a key at two spaces, `resolution:`
 * as a one-line flow mapping at four). Anything outside that shape returns `undefined`, and the
 * caller parses the section with js-yaml instead, so an odd but valid file is still read right.
 *
 * @param text the section, starting with the `packages:` line
 * @param firstLine 1-based line of `packages:` in the file
 */
export function scanPackagesSection(text: string, firstLine: number): LockfilePackage[] | undefined {
  const packages: LockfilePackage[] = [];
  let current: LockfilePackage | undefined;
  let pos = text.indexOf('\n') + 1;
  // `packages: {}` (no packages) is written on one line
  const head = text.slice(0, pos === 0 ? text.length : pos).trim();
  if (head !== 'packages:') return head === 'packages: {}' ? [] : undefined;
  let line = firstLine + 1;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    let end = eol;
    if (text.charCodeAt(end - 1) === 13) end--;
    if (end > pos) {
      let indent = 0;
      while (text.charCodeAt(pos + indent) === 32) indent++;
      if (indent === end - pos) {
        // blank line of spaces
      } else if (indent === 2) {
        if (text.charCodeAt(end - 1) !== 58 /* : */) return undefined;
        const key = unquoteKey(text.slice(pos + 2, end - 1));
        if (key === undefined) return undefined;
        const { name, version } = splitPackageKey(key);
        current = { key, name, version, resolution: undefined, line };
        packages.push(current);
      } else if (indent === 4 && current) {
        // only two keys matter; the others (engines, peerDependencies…) are skipped without copying them
        if (text.startsWith('resolution:', pos + 4)) {
          const resolution = parseFlowMapping(text.slice(pos + 4 + 'resolution:'.length, end).trim());
          if (!resolution) return undefined;
          current.resolution = resolution;
        } else if (text.startsWith('version:', pos + 4)) {
          const version = parseScalar(text.slice(pos + 4 + 'version:'.length, end).trim());
          if (version === undefined) return undefined;
          current.version = version;
        }
      } else if (indent < 4 || !current || text.charCodeAt(pos + indent) === 9) {
        return undefined;
      }
    }
    pos = eol + 1;
    line++;
  }
  return packages;
}

export function unquoteKey(raw: string): string | undefined {
  if (raw.startsWith("'"))
    return raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1).replaceAll("''", "'") : undefined;
  if (raw.startsWith('"') || raw.includes(': ') || raw.includes(' #')) return undefined;
  return raw;
}

/** A plain or single-quoted scalar as pnpm writes them; undefined for anything else. */
export function parseScalar(raw: string): string | undefined {
  if (raw.startsWith("'"))
    return raw.length >= 2 && raw.endsWith("'") ? raw.slice(1, -1).replaceAll("''", "'") : undefined;
  if (raw === '' || raw.startsWith('"') || raw.startsWith('{') || raw.startsWith('[') || raw.includes(' #'))
    return undefined;
  return raw;
}

/** `{integrity: sha512-…, tarball: https://…}` with plain or single-quoted values. */
function parseFlowMapping(raw: string): LockfileResolution | undefined {
  if (!raw.startsWith('{') || !raw.endsWith('}')) return undefined;
  const body = raw.slice(1, -1).trim();
  const result: LockfileResolution = {};
  if (body === '') return result;
  let i = 0;
  while (i < body.length) {
    const colon = body.indexOf(': ', i);
    if (colon === -1) return undefined;
    const key = body.slice(i, colon).trim();
    if (!/^[A-Za-z]+$/.test(key)) return undefined;
    let j = colon + 2;
    let value: string;
    if (body[j] === "'") {
      let k = j + 1;
      let out = '';
      for (;;) {
        const quote = body.indexOf("'", k);
        if (quote === -1) return undefined;
        out += body.slice(k, quote);
        if (body[quote + 1] === "'") {
          out += "'";
          k = quote + 2;
          continue;
        }
        j = quote + 1;
        break;
      }
      value = out;
    } else {
      const comma = body.indexOf(', ', j);
      const stop = comma === -1 ? body.length : comma;
      value = body.slice(j, stop).trim();
      if (value === '' || /^["{[&*!|>%@`]/.test(value)) return undefined;
      j = stop;
    }
    result[key] = value === 'true' ? true : value === 'false' ? false : value;
    while (body[j] === ' ') j++;
    if (j < body.length) {
      if (body[j] !== ',') return undefined;
      j++;
    }
    i = j;
  }
  return result;
}

/**
 * Reads the references of the `snapshots:` section the same way: a key at two spaces (`key:` or
 * `key: {}`), `dependencies:` / `optionalDependencies:` and `optional: true` at four,
 * `name: reference` at six.
 * Anything else returns `undefined` (the caller parses the section with js-yaml).
 */
export function scanSnapshotsSection(text: string, firstLine: number): Map<string, LockfileSnapshot> | undefined {
  const snapshots = new Map<string, LockfileSnapshot>();
  let pos = text.indexOf('\n') + 1;
  const head = text.slice(0, pos === 0 ? text.length : pos).trim();
  if (head !== 'snapshots:') return head === 'snapshots: {}' ? snapshots : undefined;
  let line = firstLine + 1;
  let current: LockfileSnapshot | undefined;
  let inRefs = false;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    let end = eol;
    if (text.charCodeAt(end - 1) === 13) end--;
    if (end > pos) {
      let indent = 0;
      while (text.charCodeAt(pos + indent) === 32) indent++;
      if (indent === 6 && inRefs) {
        // `alias: reference`, the alias single-quoted when it starts with @
        let aliasEnd: number;
        let alias: string;
        if (text.charCodeAt(pos + 6) === 39) {
          aliasEnd = text.indexOf("': ", pos + 7);
          if (aliasEnd === -1 || aliasEnd >= end) return undefined;
          alias = text.slice(pos + 7, aliasEnd);
          aliasEnd++;
        } else {
          aliasEnd = text.indexOf(': ', pos + 6);
          if (aliasEnd === -1 || aliasEnd >= end) return undefined;
          alias = text.slice(pos + 6, aliasEnd);
        }
        let ref = text.slice(aliasEnd + 2, end);
        const first = ref.charCodeAt(0);
        if (first === 39) {
          if (ref.length < 2 || ref.charCodeAt(ref.length - 1) !== 39) return undefined;
          ref = ref.slice(1, -1).replaceAll("''", "'");
        } else if (
          first === 34 ||
          first === 123 ||
          first === 91 ||
          first === 32 ||
          ref.includes(' #') ||
          alias.includes("'")
        ) {
          return undefined;
        }
        current!.refs.push(alias, ref);
      } else if (indent === end - pos) {
        // blank line of spaces
      } else if (indent === 2) {
        const empty = text.endsWith(': {}', end);
        if (!empty && text.charCodeAt(end - 1) !== 58) return undefined;
        const key = unquoteKey(text.slice(pos + 2, empty ? end - 4 : end - 1));
        if (key === undefined || snapshots.has(key)) return undefined;
        current = { line, refs: [] };
        inRefs = false;
        snapshots.set(key, current);
      } else if (indent === 4 && current) {
        inRefs = false;
        if (text.startsWith('dependencies:', pos + 4)) {
          // pnpm writes dependencies before optionalDependencies, and `optionalFrom` relies on that order
          if (current.optionalFrom !== undefined) return undefined;
          inRefs = true;
        } else if (text.startsWith('optionalDependencies:', pos + 4)) {
          current.optionalFrom = current.refs.length;
          inRefs = true;
        } else if (text.startsWith('optional:', pos + 4)) {
          const value = text.slice(pos + 4 + 'optional:'.length, end).trim();
          if (value === 'true') current.optional = true;
          else if (value !== 'false') return undefined;
        }
        // `dependencies: {…}` on one line is not the shape pnpm writes
        if (inRefs && text.charCodeAt(end - 1) !== 58) return undefined;
      } else if (indent < 4 || !current || text.charCodeAt(pos + indent) === 9) {
        return undefined;
      }
    }
    pos = eol + 1;
    line++;
  }
  return snapshots;
}

const NOT_STRING_PLAIN = [
  // null, booleans and the merge key of js-yaml's default schema
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|<<)$/,
  // ints (decimal, 0b, 0o, 0x, with `_`) and floats, .inf and .nan
  /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|0[box][0-9a-fA-F_]+|\.(?:inf|Inf|INF|nan|NaN|NAN))$/,
  // timestamps
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
];
/** First characters that make a plain scalar something else (or not plain), or that YAML trims. */
const INDICATORS = '[]{}&*!|>"%@`,?#:- \t';
/** First characters of the plain scalars NOT_STRING_PLAIN can match. */
const MAYBE_NOT_STRING = '~nNtTfF<+.0123456789';

/**
 * A plain or single-quoted scalar that YAML reads as this very string; undefined for anything
 * that could read as another type (a number, a boolean, null), hold an indicator or a comment.
 * It runs for every name, specifier and version of every importer, so the common cases are
 * decided by their first character.
 */
function stringScalar(raw: string): string | undefined {
  const first = raw[0];
  if (first === undefined) return undefined;
  if (first === "'") {
    // a lone quote inside ends the scalar early: YAML reads `'a'b'` as an error, not as a'b
    const value = parseScalar(raw);
    return value === undefined || raw.slice(1, -1).replaceAll("''", '').includes("'") ? undefined : value;
  }
  if (INDICATORS.includes(first) || raw.endsWith(':') || raw.includes('\t')) return undefined;
  if (raw.includes(' ') && (raw.endsWith(' ') || raw.includes(': ') || raw.includes(' #'))) return undefined;
  if (MAYBE_NOT_STRING.includes(first)) {
    // a version (two dots or more) is neither a number nor a timestamp, which have one dot at most
    const version = first >= '0' && first <= '9' && raw.indexOf('.') !== raw.lastIndexOf('.');
    if (!version && NOT_STRING_PLAIN.some((pattern) => pattern.test(raw))) return undefined;
  }
  return raw;
}

/** The dependency fields of an importer, in the order pnpm writes them. */
const IMPORTER_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/**
 * Reads the `importers:` section the same way: an importer id at two spaces, a dependency
 * field (or `publishDirectory: dir`) at four, a dependency name at six and its `specifier:` and
 * `version:` at eight. Returns the importers as the lockfile model has them (specifiers apart
 * from versions), or `undefined` for anything outside that shape — `dependenciesMeta`, flow
 * mappings, comments, a value that YAML reads as a number, an entry without its specifier or
 * version, a name listed twice with different specifiers — which the caller then parses with
 * js-yaml and converts (and reports, when it is broken). In a workspace of hundreds of projects
 * the importers are most of the text a parser would read.
 *
 * @param text the section, starting with the `importers:` line
 */
export function scanImportersSection(text: string): Record<string, LockfileImporter> | undefined {
  const importers: Record<string, LockfileImporter> = {};
  let pos = text.indexOf('\n') + 1;
  const head = text.slice(0, pos === 0 ? text.length : pos).trim();
  if (head !== 'importers:') return head === 'importers: {}' ? importers : undefined;
  let importer: LockfileImporter | undefined;
  /** Index in IMPORTER_FIELDS of the field being read; fields must come in that order. */
  let fieldIndex = -1;
  let versions: Record<string, string> | undefined;
  let name: string | undefined;
  let specifier: string | undefined;
  let version: string | undefined;
  const seenFields = new Set<string>();
  /** Files the entry just read; false when it lacks its specifier or version or contradicts another. */
  const finishEntry = (): boolean => {
    if (name === undefined) return true;
    if (specifier === undefined || version === undefined) return false;
    const existing = importer!.specifiers[name];
    if (existing !== undefined && existing !== specifier) return false;
    importer!.specifiers[name] = specifier;
    versions![name] = version;
    name = specifier = version = undefined;
    return true;
  };
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    let end = eol;
    if (text.charCodeAt(end - 1) === 13) end--;
    let indent = 0;
    while (text.charCodeAt(pos + indent) === 32) indent++;
    if (indent === end - pos) {
      // blank line
    } else if (indent === 8 && name !== undefined) {
      const colon = text.indexOf(': ', pos + 8);
      if (colon === -1 || colon >= end) return undefined;
      const value = stringScalar(text.slice(colon + 2, end));
      if (value === undefined) return undefined;
      const key = text.slice(pos + 8, colon);
      if (key === 'specifier' && specifier === undefined) specifier = value;
      else if (key === 'version' && version === undefined) version = value;
      else return undefined;
    } else if (indent === 6 && versions) {
      if (!finishEntry() || text.charCodeAt(end - 1) !== 58 /* : */) return undefined;
      const entryName = stringScalar(text.slice(pos + 6, end - 1));
      if (entryName === undefined || Object.hasOwn(versions, entryName)) return undefined;
      name = entryName;
    } else if (indent === 4 && importer) {
      if (!finishEntry()) return undefined;
      versions = undefined;
      const colon = text.indexOf(':', pos + 4);
      if (colon === -1 || colon >= end) return undefined;
      const key = text.slice(pos + 4, colon);
      if (seenFields.has(key)) return undefined;
      seenFields.add(key);
      const index = IMPORTER_FIELDS.indexOf(key as (typeof IMPORTER_FIELDS)[number]);
      if (index !== -1 && colon === end - 1) {
        // pnpm writes the fields in this order, which is also the order specifiers are listed in
        if (index < fieldIndex) return undefined;
        fieldIndex = index;
        versions = {};
        importer[IMPORTER_FIELDS[index]!] = versions;
      } else if (key === 'publishDirectory' && text.charCodeAt(colon + 1) === 32) {
        const value = stringScalar(text.slice(colon + 2, end));
        if (value === undefined) return undefined;
        importer.publishDirectory = value;
      } else {
        return undefined;
      }
    } else if (indent === 2) {
      if (!finishEntry()) return undefined;
      versions = undefined;
      const empty = text.endsWith(': {}', end);
      if (!empty && text.charCodeAt(end - 1) !== 58) return undefined;
      const id = stringScalar(text.slice(pos + 2, empty ? end - 4 : end - 1));
      if (id === undefined || Object.hasOwn(importers, id)) return undefined;
      importer = { specifiers: {} };
      importers[id] = importer;
      seenFields.clear();
      fieldIndex = -1;
      // `id: {}` is complete; only a block importer has lines under it
      if (empty) importer = undefined;
    } else {
      return undefined;
    }
    pos = eol + 1;
  }
  if (!finishEntry()) return undefined;
  // a field with no entries is null in YAML, which the model leaves out
  for (const importer of Object.values(importers))
    for (const field of IMPORTER_FIELDS)
      if (importer[field] !== undefined && Object.keys(importer[field]).length === 0) delete importer[field];
  return importers;
}
