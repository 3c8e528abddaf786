/** Where the CI workflow goes. */
export const WORKFLOW_FILE = '.github/workflows/devkit.yml';

export interface WorkflowInput {
  /** How actions/setup-node finds the node version: a file it reads, or a version. */
  node: { file: string } | { version: string };
  /** The pnpm to install: `pnpm@10.34.9`, `pnpm@10.x`. */
  pnpm: string;
  /** Artifact names devkit build makes (the deployables' folder names). */
  artifacts: string[];
  /** The registry devkit.json names for an environment; without one the push step is left commented. */
  registry: string | undefined;
}

/**
 * The GitHub Actions workflow: the checks the git hooks run, again (a `--no-verify` commit is
 * still caught), the build, and on main the push. Only GitHub's own actions, by major.
 */
export function renderWorkflow(input: WorkflowInput): string {
  const node =
    'file' in input.node
      ? `          node-version-file: ${input.node.file}`
      : `          node-version: '${input.node.version}'`;
  const lines = [
    '# CI written by `devkit init`: the checks the git hooks run (so a --no-verify commit is still',
    '# caught), the build, and on main the push. devkit init leaves this file alone once you change it.',
    'name: devkit',
    '',
    'on:',
    '  push:',
    '    branches: [main]',
    '  pull_request:',
    '',
    'permissions:',
    '  contents: read',
    '',
    'jobs:',
    '  check:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: actions/setup-node@v4',
    '        with:',
    node,
    '      - name: pnpm',
    `        run: npm install --global ${input.pnpm}`,
    '      - run: pnpm install --frozen-lockfile',
    '      - name: devkit bootstrap (toolchain and hooks; CI needs no services)',
    '        run: pnpm exec devkit bootstrap --yes --no-services',
    '      - name: devkit lint (the pre-commit checks on every tracked file)',
    '        run: pnpm exec devkit lint',
    '      - name: devkit lockfile check',
    '        run: pnpm exec devkit lockfile check',
  ];
  if (input.artifacts.length === 0) {
    lines.push(
      '      # devkit build packs devkit.json artifacts.deployables, and there are none yet:',
      '      # - name: devkit build',
      '      #   run: pnpm exec devkit build',
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push('      - name: devkit build', '        run: pnpm exec devkit build');
  const push = [
    '- name: devkit artifact push',
    "  if: github.event_name == 'push' && github.ref == 'refs/heads/main'",
    '  env:',
    '    DEVKIT_REGISTRY_TOKEN: ${{ secrets.DEVKIT_REGISTRY_TOKEN }}',
    '  run: |',
    ...input.artifacts.map(
      (name) => `    pnpm exec devkit artifact push ${name} --registry ${input.registry ?? '<registry URL>'}`,
    ),
  ];
  if (input.registry) lines.push(...push.map((l) => `      ${l}`));
  else
    lines.push(
      '      # No registry is configured (devkit.json environments.<env>.registry): set one and',
      '      # uncomment this step to push what main builds.',
      ...push.map((l) => `      # ${l}`),
    );
  return `${lines.join('\n')}\n`;
}
