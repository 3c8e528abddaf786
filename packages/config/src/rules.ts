import type { DevkitConfig } from './schema.js';

/** A rule that spans keys (what a schema alone cannot say). */
export interface ConfigRuleFinding {
  path: (string | number)[];
  expected: string;
  found: string;
  message: string;
}

/** Built-in builders devkit ships (docker/<name>); devkit.json may add more. */
export const BUILTIN_BUILDERS = ['zig', 'bullseye', 'bookworm'] as const;

type ConfigRule = (config: DevkitConfig) => ConfigRuleFinding[];

const environmentsFromExist: ConfigRule = (config) => {
  const envs = config.environments ?? {};
  const names = Object.keys(envs);
  return Object.entries(envs).flatMap(([name, env]) => {
    if (env.from === undefined || env.from in envs) return [];
    return [
      {
        path: ['environments', name, 'from'],
        expected: names.length > 1 ? `one of ${names.filter((n) => n !== name).join(', ')}` : 'another environment',
        found: JSON.stringify(env.from),
        message: `environment ${JSON.stringify(name)} is gated on ${JSON.stringify(env.from)}, which is not declared in environments`,
      },
    ];
  });
};

const environmentsFromAcyclic: ConfigRule = (config) => {
  const envs = config.environments ?? {};
  const findings: ConfigRuleFinding[] = [];
  for (const start of Object.keys(envs)) {
    const seen = new Set<string>([start]);
    let current = envs[start]?.from;
    while (current !== undefined && current in envs) {
      if (current === start) {
        findings.push({
          path: ['environments', start, 'from'],
          expected: 'a chain that ends',
          found: [...seen, start].join(' → '),
          message: `promotion gates form a cycle: ${[...seen, start].join(' → ')}`,
        });
        break;
      }
      if (seen.has(current)) break;
      seen.add(current);
      current = envs[current]?.from;
    }
  }
  return findings;
};

const targetBuildersExist: ConfigRule = (config) => {
  const builders = new Set<string>([...BUILTIN_BUILDERS, ...Object.keys(config.native?.builders ?? {})]);
  return Object.entries(config.native?.targets ?? {}).flatMap(([target, spec]) =>
    spec.builder === undefined || builders.has(spec.builder)
      ? []
      : [
          {
            path: ['native', 'targets', target, 'builder'],
            expected: `one of ${[...builders].join(', ')}`,
            found: JSON.stringify(spec.builder),
            message: `target ${target} names builder ${JSON.stringify(spec.builder)}, which is neither built in nor declared in native.builders`,
          },
        ],
  );
};

const RULES: readonly ConfigRule[] = [environmentsFromExist, environmentsFromAcyclic, targetBuildersExist];

/** Runs every cross-key rule; an empty list means the config is coherent. */
export function checkConfigRules(config: DevkitConfig): ConfigRuleFinding[] {
  return RULES.flatMap((rule) => rule(config));
}
