import type { Digest } from './digest.js';
import type { InputsRecord } from './inputs.js';

/**
 * The config blob of an artifact: how it was built. No time, host, path or user: the same
 * commit built anywhere gives the same record (those live in the provenance referrer).
 */
export interface BuildRecord {
  schema: 'devkit.build-record/v1';
  name: string;
  /** The deployable's folder in the repo. */
  deployable: string;
  package: string;
  commit: string;
  dirty: boolean;
  /** Digest of the whole pnpm-lock.yaml. */
  lockfile: Digest;
  toolchain: Record<string, string>;
  /** Builder image IDs of the native builds that went in (target → image ID). */
  builders: Record<string, string>;
  inputsDigest: Digest;
  inputs: InputsRecord;
}

/** Who built it, from where, when: the SLSA v1 provenance predicate's inputs. */
export interface ProvenanceFacts {
  builderId: string;
  ref: string | null;
  repository: string | null;
  invocationId: string;
  startedOn: string;
  finishedOn: string;
  devkitVersion: string;
  allowDirty: boolean;
}

/** An in-toto v1 statement with a SLSA v1 provenance predicate for one artifact. */
export function provenanceStatement(
  subject: { name: string; digest: Digest },
  record: BuildRecord,
  facts: ProvenanceFacts,
): Record<string, unknown> {
  const resolvedDependencies: Array<Record<string, unknown>> = [];
  if (record.commit !== 'unknown') {
    resolvedDependencies.push({
      uri: `git+${facts.repository ?? 'local'}${facts.ref ? `@${facts.ref}` : ''}`,
      digest: { gitCommit: record.commit },
    });
  }
  resolvedDependencies.push({ name: 'pnpm-lock.yaml', digest: { sha256: record.lockfile.replace(/^sha256:/, '') } });
  for (const [target, image] of Object.entries(record.builders)) {
    resolvedDependencies.push({ name: `builder:${target}`, digest: { sha256: image.replace(/^sha256:/, '') } });
  }
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: subject.name, digest: { sha256: subject.digest.replace(/^sha256:/, '') } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://devkit.dev/build/v1',
        externalParameters: {
          deployable: record.deployable,
          ref: facts.ref,
          repository: facts.repository,
          commit: record.commit,
        },
        internalParameters: {
          dirty: record.dirty,
          allowDirty: facts.allowDirty,
          inputsDigest: record.inputsDigest,
          toolchain: record.toolchain,
        },
        resolvedDependencies,
      },
      runDetails: {
        builder: { id: facts.builderId, version: { devkit: facts.devkitVersion } },
        metadata: { invocationId: facts.invocationId, startedOn: facts.startedOn, finishedOn: facts.finishedOn },
      },
    },
  };
}
