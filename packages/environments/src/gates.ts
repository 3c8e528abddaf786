/** What an environment demands of an artifact's provenance (devkit.json environments.<env>.require). */
export interface ProvenanceRequirement {
  builder?: string | undefined;
  refs?: string[] | undefined;
}

interface Statement {
  predicateType?: string;
  predicate?: {
    runDetails?: { builder?: { id?: string } };
    buildDefinition?: { externalParameters?: { ref?: string | null }; internalParameters?: { dirty?: boolean } };
  };
}

/**
 * Checks provenance against an environment's requirement (pure): the builder id must be the
 * trusted one, the source ref one of the protected refs, and the tree not dirty. Returns the
 * problems; none means the artifact may enter.
 */
export function checkProvenance(statement: unknown, require: ProvenanceRequirement): string[] {
  if (!require.builder && !require.refs) return [];
  const s = statement as Statement | undefined;
  if (!s || s.predicateType !== 'https://slsa.dev/provenance/v1') return ['it has no SLSA v1 provenance'];
  const problems: string[] = [];
  const builder = s.predicate?.runDetails?.builder?.id;
  if (require.builder && builder !== require.builder)
    problems.push(`it was built by "${builder ?? 'unknown'}", not the trusted builder "${require.builder}"`);
  const ref = s.predicate?.buildDefinition?.externalParameters?.ref ?? null;
  if (require.refs && (ref === null || !require.refs.includes(ref)))
    problems.push(`it was built from ${ref ?? 'no ref (a detached HEAD)'}, not one of ${require.refs.join(', ')}`);
  if (s.predicate?.buildDefinition?.internalParameters?.dirty)
    problems.push('it was built from a work tree with uncommitted changes');
  return problems;
}
