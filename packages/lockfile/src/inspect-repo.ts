import yaml from 'js-yaml';
import { usageError } from '@devkit/core';
import { LOCKFILE_NAME, isRecord, parseLockfile } from './parse-lockfile.js';
import { loadPnpmSettings, ROOT_MANIFEST, WORKSPACE_MANIFEST, type ReadRepoFile } from './load-settings.js';
import { workingTreeManifests, workingTreeReader, type FindManifests } from './repo-files.js';
import { validateWorkspaceManifest } from './workspace-manifest.js';
import { DEFAULT_PNPM_MAJOR, pnpmRules, type PnpmMajorChoice } from './pnpm-major.js';
import type { LockfileCheckInput, ProjectManifest, WorkspaceProject } from './types.js';

export interface InspectRepoOptions {
  /** The repo root (where pnpm-lock.yaml and pnpm-workspace.yaml are). */
  root: string;
  /**
   * Reads a file by its repo-relative path; default: the working tree. A pre-commit hook
   * passes a reader of the git index, so what is checked is what will be committed.
   */
  readFile?: ReadRepoFile | undefined;
  /** Finds the workspace projects' manifests; default: a glob of the working tree. */
  findManifests?: FindManifests | undefined;
  /** For `${VAR}` in .npmrc. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** devkit.json `lockfile.registries`. */
  allowedRegistries?: readonly string[] | undefined;
  /**
   * The pnpm major whose rules judge, and where that came from (the caller decides: this
   * package cannot read toolchain pins); default: pnpm 10, devkit's default.
   */
  pnpm?: PnpmMajorChoice | undefined;
}

function parseJson(text: string, file: string, nullFieldIsAbsent = false): ProjectManifest {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw usageError('E_MANIFEST_PARSE', `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: `fix the JSON syntax in ${file}`,
      details: { file },
    });
  }
  if (!isRecord(value))
    throw usageError('E_MANIFEST_PARSE', `${file} is not a JSON object`, { hint: `fix ${file}`, details: { file } });
  // pnpm fails on these too (it cannot even read such a manifest)
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const) {
    // pnpm 11 and later read `"devDependencies": null` as no devDependencies
    if (nullFieldIsAbsent && value[field] === null) delete value[field];
    if (Object.hasOwn(value, field) && !isRecord(value[field])) {
      throw usageError(
        'E_MANIFEST_INVALID',
        `${file}: ${field} must be an object of dependency names to specifiers, found ${JSON.stringify(value[field])}`,
        {
          hint: `fix ${field} in ${file} (or remove it)`,
          details: { file, key: field },
        },
      );
    }
  }
  return value as ProjectManifest;
}

/**
 * Loads everything `checkLockfile` needs from a repo through the given file reader: the
 * lockfile, the workspace projects' manifests and pnpm's settings. Throws a DevkitError (exit 2)
 * for input pnpm could not read either: no lockfile, invalid YAML or JSON, conflict markers,
 * an unsupported lockfile version; E_PNPM_MAJOR_UNKNOWN (exit 3) for a pnpm major devkit does
 * not know.
 */
export async function inspectRepo(options: InspectRepoOptions): Promise<LockfileCheckInput> {
  const pnpm = options.pnpm ?? { major: DEFAULT_PNPM_MAJOR, source: "devkit's default" };
  const rules = pnpmRules(pnpm.major, pnpm.source);
  const readFile = options.readFile ?? workingTreeReader(options.root);
  const findManifests = options.findManifests ?? workingTreeManifests(options.root);
  const [lockfileText, rootText, workspaceText] = await Promise.all([
    readFile(LOCKFILE_NAME),
    readFile(ROOT_MANIFEST),
    readFile(WORKSPACE_MANIFEST),
  ]);
  if (lockfileText === undefined) {
    throw usageError('E_LOCKFILE_MISSING', `no ${LOCKFILE_NAME} in ${options.root}`, {
      hint: `create it with \`pnpm install\` and commit it (\`git add ${LOCKFILE_NAME}\`)`,
      details: { file: LOCKFILE_NAME },
    });
  }
  const lockfile = parseLockfile(lockfileText, LOCKFILE_NAME, { pnpmMajor: rules.major });
  if (rootText === undefined) {
    throw usageError('E_MANIFEST_MISSING', `no ${ROOT_MANIFEST} in ${options.root}`, {
      hint: 'run devkit at the root of the pnpm workspace (or pass --cwd)',
      details: { file: ROOT_MANIFEST },
    });
  }
  const rootManifest = parseJson(rootText, ROOT_MANIFEST, rules.nullDependencyFieldIsAbsent);
  let workspaceManifest: Record<string, unknown> | undefined;
  if (workspaceText !== undefined) {
    let parsed: unknown;
    try {
      parsed = yaml.load(workspaceText);
    } catch (error) {
      const line = (error as { mark?: { line?: number } }).mark?.line;
      throw usageError(
        'E_WORKSPACE_PARSE',
        `${WORKSPACE_MANIFEST}${line === undefined ? '' : `:${line + 1}`} is not valid YAML: ${(error as { reason?: string }).reason ?? (error as Error).message}`,
        {
          hint: `fix the YAML syntax in ${WORKSPACE_MANIFEST}`,
          details: { file: WORKSPACE_MANIFEST, line: line === undefined ? undefined : line + 1 },
        },
      );
    }
    if (parsed !== null && parsed !== undefined && !isRecord(parsed)) {
      throw usageError('E_WORKSPACE_PARSE', `${WORKSPACE_MANIFEST} is not a YAML mapping`, {
        hint: `fix ${WORKSPACE_MANIFEST}`,
        details: { file: WORKSPACE_MANIFEST },
      });
    }
    workspaceManifest = (parsed ?? {}) as Record<string, unknown>;
    validateWorkspaceManifest(workspaceManifest);
  }

  const patterns = Array.isArray(workspaceManifest?.packages) ? workspaceManifest.packages.map(String) : ['.'];
  const manifestPaths = [...new Set(await findManifests(patterns))].filter((path) => path !== ROOT_MANIFEST);
  const projects: WorkspaceProject[] = [{ id: '.', manifestFile: ROOT_MANIFEST, manifest: rootManifest }];
  const others = await Promise.all(
    manifestPaths.map(async (path): Promise<WorkspaceProject | undefined> => {
      if (!path.endsWith('/package.json')) {
        throw usageError('E_MANIFEST_UNSUPPORTED', `${path}: devkit reads package.json manifests only`, {
          hint: `convert ${path} to package.json`,
          details: { file: path },
        });
      }
      const text = await readFile(path);
      if (text === undefined) return undefined;
      return {
        id: path.slice(0, -'/package.json'.length),
        manifestFile: path,
        manifest: parseJson(text, path, rules.nullDependencyFieldIsAbsent),
      };
    }),
  );
  for (const project of others) if (project) projects.push(project);

  const settings = await loadPnpmSettings(readFile, { rootManifest, workspaceManifest, env: options.env, rules });
  return { lockfile, projects, settings, allowedRegistries: options.allowedRegistries, pnpm };
}
