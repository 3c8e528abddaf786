import yaml from 'js-yaml';
import { usageError } from '@devkit/core';
import { scanImportersSection, scanPackagesSection, scanSnapshotsSection } from './packages-section.js';
import { splitPackageKey } from './package-key.js';
import { DEFAULT_PNPM_MAJOR, isKnownPnpmMajor, pnpmRules } from './pnpm-major.js';
import type {
  LockfileImporter,
  LockfilePackage,
  LockfileResolution,
  LockfileSnapshot,
  ParsedLockfile,
} from './types.js';

export const LOCKFILE_NAME = 'pnpm-lock.yaml';
/**
 * The lockfile major pnpm 9 to 12 write and read; any other major is rejected by a frozen
 * install (pnpm 9 also reads 6.x, which devkit does not: see PNPM-MAJORS.md).
 */
export const SUPPORTED_LOCKFILE_MAJOR = 9;

const FIX_REGENERATE = 'pnpm install';

/** Top-level keys whose content the check uses (of `snapshots:` only the references are read). */
const NEEDED = new Set([
  'lockfileVersion',
  'settings',
  'catalogs',
  'overrides',
  'packageExtensionsChecksum',
  'patchedDependencies',
  'pnpmfileChecksum',
  'ignoredOptionalDependencies',
  'importers',
  'packages',
  'snapshots',
]);

interface Section {
  key: string;
  /** Offset of the key's first character and of the section's end. */
  start: number;
  end: number;
  /** 0-based line of the key. */
  line: number;
}

/** Line numbers (1-based) of git merge-conflict markers, if any. */
export function findConflictMarkers(text: string): number[] {
  const lines: number[] = [];
  // a plain substring search first: the line-anchored regexp costs a pass over every line
  if (!text.includes('<<<<<<<') && !text.includes('>>>>>>>') && !text.includes('=======') && !text.includes('|||||||'))
    return lines;
  const marker = /^(?:<{7}|={7}|>{7}|\|{7})(?: |\r?$)/gm;
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    lines.push(lineAt(text, match.index));
    if (lines.length >= 50) break;
  }
  return lines;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** pnpm 11 may write an env document first; the lockfile proper is the last document. */
function mainDocument(text: string): { body: string; lineOffset: number; env?: string } {
  if (!text.startsWith('---\n')) return { body: text, lineOffset: 0 };
  const sep = text.indexOf('\n---\n', 4);
  if (sep === -1) return { body: text, lineOffset: 0 };
  const start = sep + 5;
  return { body: text.slice(start), lineOffset: lineAt(text, start) - 1, env: text.slice(4, sep) };
}

/** The env document (pnpm 11+): importer `.`'s config and package manager dependencies, and the keys recorded. */
function parseEnvDocument(text: string, file: string): ParsedLockfile['env'] {
  const doc = loadYaml(text, file, 1);
  if (!isRecord(doc)) return undefined;
  const root = isRecord(doc.importers) && isRecord(doc.importers['.']) ? doc.importers['.'] : {};
  const group = (value: unknown) => {
    const deps: Record<string, { specifier: string; version: string }> = {};
    if (isRecord(value))
      for (const [name, entry] of Object.entries(value))
        if (isRecord(entry)) deps[name] = { specifier: String(entry.specifier), version: String(entry.version) };
    return deps;
  };
  return {
    configDependencies: group(root.configDependencies),
    packageManagerDependencies: group(root.packageManagerDependencies),
    packages: isRecord(doc.packages) ? Object.keys(doc.packages) : [],
    snapshots: isRecord(doc.snapshots) ? Object.keys(doc.snapshots) : [],
  };
}

/**
 * Splits the document at its top-level keys (lines starting in column 0). Returns undefined
 * when the text has a shape that only a full YAML parse can judge (a top-level sequence, a
 * directive, flow content in column 0), so the caller falls back to parsing everything.
 */
function splitSections(text: string): Section[] | undefined {
  const sections: Section[] = [];
  // lines that start in column 0 with anything but a comment: the top-level keys
  const topLevel = /^[^ \t#\r\n]/gm;
  let line = 0;
  let counted = 0;
  for (let match = topLevel.exec(text); match; match = topLevel.exec(text)) {
    const pos = match.index;
    if (sections.length === 0 && /^[ \t]*[^ \t#\r\n]/m.test(text.slice(0, pos))) return undefined;
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < pos; nl = text.indexOf('\n', nl + 1)) {
      line++;
      counted = nl + 1;
    }
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const colon = text.indexOf(':', pos);
    const keyText = colon === -1 || colon > end ? '' : text.slice(pos, colon);
    if (
      !/^[A-Za-z][A-Za-z0-9]*$/.test(keyText) ||
      (colon + 1 < end && text.charCodeAt(colon + 1) !== 32 && text.charCodeAt(colon + 1) !== 13)
    ) {
      return undefined;
    }
    const previous = sections.at(-1);
    if (previous) previous.end = pos;
    sections.push({ key: keyText, start: pos, end: text.length, line });
  }
  if (sections.length === 0 && /^[ \t]*[^ \t#\r\n]/m.test(text)) return undefined;
  return sections;
}

function brokenLockfile(file: string, reason: string, line?: number): never {
  throw usageError('E_LOCKFILE_PARSE', `${file}${line ? `:${line}` : ''} is not valid YAML: ${reason}`, {
    hint: `restore it from git (\`git checkout HEAD -- ${file}\`) or regenerate it with \`${FIX_REGENERATE}\``,
    details: { file, line },
  });
}

function loadYaml(text: string, file: string, lineOffset: number): unknown {
  try {
    return yaml.load(text);
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    brokenLockfile(file, reason, mark?.line === undefined ? undefined : mark.line + 1 + lineOffset);
  }
}

/**
 * Parses pnpm-lock.yaml text into what the check needs. Throws a DevkitError (exit 2) for a
 * file pnpm could not read: conflict markers, invalid YAML, a lockfile version pnpm rejects.
 * `pnpmMajor` names the pnpm that judges, in messages (default: 10).
 */
export function parseLockfile(
  rawText: string,
  file = LOCKFILE_NAME,
  { pnpmMajor = DEFAULT_PNPM_MAJOR }: { pnpmMajor?: number | undefined } = {},
): ParsedLockfile {
  const rules = pnpmRules(isKnownPnpmMajor(pnpmMajor) ? pnpmMajor : DEFAULT_PNPM_MAJOR);
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const conflicts = findConflictMarkers(text);
  if (conflicts.length > 0) {
    throw usageError(
      'E_LOCKFILE_CONFLICT',
      `${file} has unresolved git merge-conflict markers (line${conflicts.length > 1 ? 's' : ''} ${conflicts.join(', ')})`,
      {
        hint: `let pnpm merge it: \`${FIX_REGENERATE}\`, then check the result and \`git add ${file}\``,
        details: { file, lines: conflicts },
      },
    );
  }
  const { body, lineOffset, env } = mainDocument(text);
  if (env !== undefined && !rules.readsEnvDocument) {
    // pnpm 9 reads pnpm-lock.yaml as one YAML document
    throw usageError(
      'E_LOCKFILE_PARSE',
      `${file} holds two YAML documents (an env document, as pnpm 11 writes, before the lockfile); pnpm ${rules.major} reads one document only, so \`pnpm install --frozen-lockfile\` rejects it as broken`,
      {
        hint: `regenerate it with pnpm ${rules.major}: \`${FIX_REGENERATE}\` (or pin the pnpm that wrote it)`,
        details: { file, line: 1, pnpmMajor: rules.major },
      },
    );
  }
  const sections = splitSections(body);
  const raw: Record<string, unknown> = {};
  let packagesSection: { text: string; line: number } | undefined;
  let snapshotsSection: { text: string; line: number } | undefined;
  let scannedImporters: Record<string, LockfileImporter> | undefined;
  if (sections) {
    const seen = new Set<string>();
    for (const section of sections) {
      if (seen.has(section.key))
        brokenLockfile(file, `duplicated mapping key "${section.key}"`, section.line + 1 + lineOffset);
      seen.add(section.key);
      if (!NEEDED.has(section.key)) continue;
      const sectionText = body.slice(section.start, section.end);
      if (section.key === 'packages') {
        packagesSection = { text: sectionText, line: section.line + 1 + lineOffset };
        continue;
      }
      if (section.key === 'snapshots') {
        snapshotsSection = { text: sectionText, line: section.line + 1 + lineOffset };
        continue;
      }
      if (section.key === 'importers') {
        scannedImporters = scanImportersSection(sectionText);
        if (scannedImporters) continue;
      }
      const value = loadYaml(sectionText, file, section.line + lineOffset) as Record<string, unknown> | undefined;
      raw[section.key] = value?.[section.key];
    }
  } else {
    const whole = loadYaml(body, file, lineOffset);
    if (whole === null || whole === undefined) Object.assign(raw, {});
    else if (typeof whole !== 'object' || Array.isArray(whole))
      brokenLockfile(file, 'expected a mapping at the top level');
    else Object.assign(raw, whole);
  }
  if (Object.keys(raw).length === 0 && !packagesSection && text.trim() === '') {
    throw usageError('E_LOCKFILE_EMPTY', `${file} is empty`, {
      hint: `regenerate it: \`${FIX_REGENERATE}\``,
      details: { file },
    });
  }
  checkVersion(raw.lockfileVersion, file, rules.major, rules.lockfileMajors);

  let packages: LockfilePackage[];
  if (packagesSection) {
    packages =
      scanPackagesSection(packagesSection.text, packagesSection.line) ??
      packagesFromObject(
        (loadYaml(packagesSection.text, file, packagesSection.line - 1) as { packages?: unknown })?.packages,
        undefined,
      );
  } else {
    packages = packagesFromObject(raw.packages, undefined);
  }

  let snapshots: Map<string, LockfileSnapshot>;
  if (snapshotsSection) {
    snapshots =
      scanSnapshotsSection(snapshotsSection.text, snapshotsSection.line) ??
      snapshotsFromObject(
        (loadYaml(snapshotsSection.text, file, snapshotsSection.line - 1) as { snapshots?: unknown })?.snapshots,
      );
  } else {
    snapshots = snapshotsFromObject(raw.snapshots);
  }

  return {
    lockfileVersion: String(raw.lockfileVersion),
    ...(isRecord(raw.settings) ? { settings: raw.settings } : {}),
    ...(isRecord(raw.catalogs) ? { catalogs: raw.catalogs as ParsedLockfile['catalogs'] } : {}),
    ...(isRecord(raw.overrides) ? { overrides: raw.overrides as Record<string, string> } : {}),
    ...(typeof raw.packageExtensionsChecksum === 'string'
      ? { packageExtensionsChecksum: raw.packageExtensionsChecksum }
      : {}),
    ...(isRecord(raw.patchedDependencies) ? { patchedDependencies: raw.patchedDependencies } : {}),
    ...(typeof raw.pnpmfileChecksum === 'string' ? { pnpmfileChecksum: raw.pnpmfileChecksum } : {}),
    ...(Array.isArray(raw.ignoredOptionalDependencies)
      ? { ignoredOptionalDependencies: raw.ignoredOptionalDependencies.map(String) }
      : {}),
    importers: scannedImporters ?? convertImporters(raw.importers, file),
    ...(env === undefined ? {} : { env: parseEnvDocument(env, file) }),
    packages,
    snapshots,
  };
}

function checkVersion(version: unknown, file: string, pnpmMajor: number, majors: readonly string[]): void {
  const text = version === undefined || version === null ? '' : String(version);
  // pnpm reads it as "major.minor" text: an unquoted 9.0 is the YAML number 9, which a frozen
  // install rejects as an outdated lockfile
  if (typeof version === 'string' && majors.some((major) => text.startsWith(`${major}.`))) return;
  if (text.startsWith(`${SUPPORTED_LOCKFILE_MAJOR}.`)) return;
  if (typeof version === 'number' && Math.trunc(version) === SUPPORTED_LOCKFILE_MAJOR) {
    throw usageError(
      'E_LOCKFILE_VERSION',
      `${file} has an unquoted lockfileVersion, which YAML reads as the number ${text}; pnpm rejects it as an outdated lockfile`,
      {
        hint: `quote it as pnpm writes it: lockfileVersion: '${SUPPORTED_LOCKFILE_MAJOR}.0'`,
        details: { file, lockfileVersion: text, supported: `${SUPPORTED_LOCKFILE_MAJOR}.x` },
      },
    );
  }
  const what = text === '' ? 'has no lockfileVersion' : `has lockfileVersion ${JSON.stringify(text)}`;
  throw usageError(
    'E_LOCKFILE_VERSION',
    `${file} ${what}; pnpm ${pnpmMajor} reads lockfile version ${majors.map((major) => `${major}.x`).join(' or ')} only, so \`pnpm install --frozen-lockfile\` rejects it`,
    {
      hint: `regenerate it with pnpm ${pnpmMajor}: \`${FIX_REGENERATE}\` (commit the new ${file})`,
      details: { file, lockfileVersion: text || null, supported: `${SUPPORTED_LOCKFILE_MAJOR}.x`, pnpmMajor },
    },
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** v9 stores `{specifier, version}` per dependency; pnpm works on specifiers apart from versions. */
function convertImporters(raw: unknown, file: string): Record<string, LockfileImporter> {
  const importers: Record<string, LockfileImporter> = {};
  if (!isRecord(raw)) return importers;
  for (const [id, value] of Object.entries(raw)) {
    const snapshot = isRecord(value) ? value : {};
    const importer: LockfileImporter = { specifiers: {} };
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
      const block = snapshot[field];
      if (!isRecord(block)) continue;
      const versions: Record<string, string> = {};
      for (const [name, entry] of Object.entries(block)) {
        const { specifier, version } = isRecord(entry) ? entry : { specifier: undefined, version: entry };
        const existing = importer.specifiers[name];
        if (existing !== undefined && existing !== specifier) {
          brokenLockfile(file, `importer "${id}" lists ${name} more than once with different specifiers`);
        }
        importer.specifiers[name] = specifier as string;
        versions[name] = String(version);
      }
      importer[field] = versions;
    }
    if (isRecord(snapshot.dependenciesMeta)) importer.dependenciesMeta = snapshot.dependenciesMeta;
    if (typeof snapshot.publishDirectory === 'string') importer.publishDirectory = snapshot.publishDirectory;
    importers[id] = importer;
  }
  return importers;
}

/** The slow path: packages from a fully parsed `packages:` mapping (no line numbers). */
export function packagesFromObject(raw: unknown, line: number | undefined): LockfilePackage[] {
  if (!isRecord(raw)) return [];
  return Object.entries(raw).map(([key, value]) => {
    const entry = isRecord(value) ? value : {};
    const { name, version } = splitPackageKey(key);
    return {
      key,
      name,
      version: typeof entry.version === 'string' ? entry.version : version,
      resolution: isRecord(entry.resolution) ? (entry.resolution as LockfileResolution) : undefined,
      line: line ?? 0,
    };
  });
}

/** The slow path for snapshots: references from a fully parsed `snapshots:` mapping. */
function snapshotsFromObject(raw: unknown): Map<string, LockfileSnapshot> {
  const snapshots = new Map<string, LockfileSnapshot>();
  if (!isRecord(raw)) return snapshots;
  for (const [key, value] of Object.entries(raw)) {
    const entry = isRecord(value) ? value : {};
    const snapshot: LockfileSnapshot = { line: 0, refs: [] };
    for (const field of ['dependencies', 'optionalDependencies']) {
      const block = entry[field];
      if (!isRecord(block)) continue;
      if (field === 'optionalDependencies') snapshot.optionalFrom = snapshot.refs.length;
      for (const [alias, ref] of Object.entries(block)) snapshot.refs.push(alias, String(ref));
    }
    if (entry.optional === true) snapshot.optional = true;
    snapshots.set(key, snapshot);
  }
  return snapshots;
}
