import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { missingIgnores, planGitignore } from './gitignore.js';
import { planPrepare } from './prepare-script.js';
import { mergeDevkitJson, setJsonValue } from './devkit-json.js';
import { renderWorkflow } from './workflow.js';

describe('planGitignore', () => {
  it('appends a marked block once, with only the paths not ignored yet', () => {
    const once = planGitignore('node_modules\n/.turbo\n');
    expect(once).toBe(
      'node_modules\n/.turbo\n\n# devkit: local state, services data, artifact store and turbo cache (devkit init)\n.devkit/\n.env.devkit\n# end devkit\n',
    );
    expect(planGitignore(once)).toBe(once);
    expect(planGitignore('.devkit\n.turbo/\n/.env.devkit\n')).toBe('.devkit\n.turbo/\n/.env.devkit\n');
    expect(planGitignore(undefined)).toContain('.devkit/\n.turbo/\n.env.devkit\n# end devkit\n');
    // a block an older devkit init wrote gains the path it lacks, inside the block
    const older =
      'dist\n\n# devkit: local state, services data, artifact store and turbo cache (devkit init)\n.devkit/\n.turbo/\n# end devkit\n';
    expect(missingIgnores(older)).toEqual(['.env.devkit']);
    expect(planGitignore(older)).toBe(older.replace('.turbo/\n', '.turbo/\n.env.devkit\n'));
  });
});

describe('planPrepare', () => {
  it('adds devkit hooks install after what prepare ran, once', () => {
    expect(planPrepare(undefined).script).toBe('devkit hooks install');
    expect(planPrepare('husky').script).toBe('husky && devkit hooks install');
    expect(planPrepare('husky && devkit hooks install').script).toBeUndefined();
  });

  it('drops lefthook install, which fails once core.hooksPath is set', () => {
    const plan = planPrepare('pnpm build && lefthook install');
    expect(plan.script).toBe('pnpm build && devkit hooks install');
    expect(plan.notes[0]).toContain('"lefthook install" dropped');
  });
});

describe('mergeDevkitJson', () => {
  it('adds only missing keys, keeps comments and differing values, reports both', () => {
    const current =
      '{\n    // our services\n    "services": { "postgres": { "version": "14" } },\n    "environments": { "staging": {} }\n}\n';
    const merged = mergeDevkitJson(current, {
      $schema: './node_modules/devkit/schema.json',
      services: { postgres: { version: '15' }, redis: { version: '7' } },
    });
    expect(merged.added).toEqual(['$schema', 'services.redis']);
    expect(merged.kept).toEqual(['services.postgres.version']);
    expect(merged.text).toContain('// our services');
    expect(merged.text).toContain('"environments": { "staging": {} }');
    expect(merged.text).toMatch(/\n {4}"\$schema": "\.\/node_modules\/devkit\/schema\.json"/);
    expect(mergeDevkitJson(merged.text, { services: { redis: { version: '7' } } }).text).toBe(merged.text);
  });

  it('a file that is not a JSON object is reported, not touched', () => {
    expect(mergeDevkitJson('[1]', {}).unreadable).toBe('it is not a JSON object');
  });
});

describe('renderWorkflow', () => {
  const input = { node: { file: '.node-version' }, pnpm: 'pnpm@10.34.9', artifacts: ['api'], registry: undefined };

  it("only GitHub's own actions, by major; frozen install; devkit's checks and build; push commented without a registry", () => {
    const text = renderWorkflow(input);
    const doc = load(text) as { jobs: { check: { steps: Array<{ uses?: string; run?: string }> } } };
    const steps = doc.jobs.check.steps;
    expect(steps.filter((s) => s.uses).map((s) => s.uses)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4']);
    expect(steps.map((s) => s.run).filter(Boolean)).toEqual([
      'npm install --global pnpm@10.34.9',
      'pnpm install --frozen-lockfile',
      'pnpm exec devkit bootstrap --yes --no-services',
      'pnpm exec devkit lint',
      'pnpm exec devkit lockfile check',
      'pnpm exec devkit build',
    ]);
    expect(text).toContain('#     pnpm exec devkit artifact push api --registry <registry URL>');
  });

  it('with a registry, main pushes each artifact', () => {
    const doc = load(renderWorkflow({ ...input, registry: 'https://registry.example.com' })) as {
      jobs: { check: { steps: Array<{ name?: string; if?: string; run?: string }> } };
    };
    const push = doc.jobs.check.steps.at(-1)!;
    expect(push.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(push.run).toBe('pnpm exec devkit artifact push api --registry https://registry.example.com\n');
  });

  it('without deployables the build is left commented', () => {
    const text = renderWorkflow({ ...input, artifacts: [] });
    expect(text).toContain('# - name: devkit build');
    expect(text).not.toContain('artifact push');
  });
});

describe('setJsonValue', () => {
  it('replaces a value in place or inserts the key beside its neighbours, leaving every other byte alone', () => {
    const manifest = '{\n\t"name": "a",\n\t"scripts": { "prepare": "husky" },\n\t"devDependencies": {"x": "1"}\n}\n';
    expect(setJsonValue(manifest, ['scripts', 'prepare'], 'husky && devkit hooks install')).toBe(
      '{\n\t"name": "a",\n\t"scripts": { "prepare": "husky && devkit hooks install" },\n\t"devDependencies": {"x": "1"}\n}\n',
    );
    expect(setJsonValue('{\n  "name": "a",\n  "dependencies": {"x": "1"}\n}\n', ['scripts', 'prepare'], 'p')).toBe(
      '{\n  "name": "a",\n  "dependencies": {"x": "1"},\n  "scripts": {\n    "prepare": "p"\n  }\n}\n',
    );
    expect(setJsonValue('{\n  "scripts": {}\n}\n', ['scripts', 'prepare'], 'p')).toBe(
      '{\n  "scripts": {\n    "prepare": "p"\n  }\n}\n',
    );
  });
});
