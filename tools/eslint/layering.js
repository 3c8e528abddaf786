import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  declaredPackages,
  layeringViolation,
  ORDER_TEXT,
  PUBLISHED_PACKAGE,
  TEST_ONLY_PACKAGES,
} from './package-order.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TEST_FILE = /\.test\.[cm]?[jt]sx?$/;

/** The package name of packages/<folder>: `@devkit/<folder>`, and packages/devkit is the published `devkit`. */
function packageName(folder) {
  return folder === PUBLISHED_PACKAGE ? PUBLISHED_PACKAGE : `@devkit/${folder}`;
}

/**
 * Which package a file belongs to (packageName of packages/<folder>/…, checked
 * against each package.json by package-order.test.ts), its folder, and whether it is a test.
 */
function ownerOf(filename, root) {
  const rel = relative(root, filename).split(sep);
  if (rel[0] !== 'packages' || rel.length < 3) return undefined;
  return { name: packageName(rel[1]), folder: resolve(root, 'packages', rel[1]), test: TEST_FILE.test(filename) };
}

function inside(path, folder) {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The package a path falls in (packageName of its folder), or undefined. */
function packageAt(path, root) {
  const rel = relative(root, path).split(sep);
  return rel[0] === 'packages' && rel.length >= 2 && rel[1] !== '..' ? packageName(rel[1]) : undefined;
}

/** The module specifier a node names, when it is written out (not computed). */
function specifierNode(node) {
  if (!node) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node;
  if (node.type === 'TSLiteralType') return specifierNode(node.literal);
  return undefined;
}

function specifierText(node) {
  return node.type === 'Literal' ? node.value : node.quasis[0].value.cooked;
}

/**
 * `devkit/layering`: every import — static, `import type`, re-export, dynamic `import()`,
 * `typeof import()` and `require()` — follows the package order of package-order.js, and no
 * relative import leaves its package (another package is imported by its name).
 * @type {import('eslint').Rule.RuleModule}
 */
export const layeringRule = {
  meta: {
    type: 'problem',
    docs: {
      description: `Imports follow devkit's declared package order (${ORDER_TEXT}) and never reach into another package by relative path.`,
    },
    schema: [],
    messages: {
      order: '{{reason}}',
      undeclared: '{{name}} is not in the declared package order: add it to tools/eslint/package-order.js ({{order}})',
      relativeIntoPackage: 'Import {{target}} by name ("{{target}}"), not by a relative path into packages/',
      relativeOutOfPackage:
        'A relative import may not leave {{owner}} (it reaches {{where}}); import other packages by name',
    },
  },
  create(context) {
    const root = REPO_ROOT;
    const filename = context.physicalFilename ?? context.filename;
    const owner = ownerOf(filename, root);
    const declared = new Set(declaredPackages());

    function check(node) {
      const source = specifierNode(node);
      if (!source) return;
      const specifier = specifierText(source);
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = resolve(dirname(filename), specifier);
        if (owner) {
          if (inside(target, owner.folder)) return;
          const where = packageAt(target, root);
          if (where) context.report({ node: source, messageId: 'relativeIntoPackage', data: { target: where } });
          else
            context.report({
              node: source,
              messageId: 'relativeOutOfPackage',
              data: { owner: owner.name, where: relative(root, target) || '.' },
            });
          return;
        }
        const where = packageAt(target, root);
        if (where) context.report({ node: source, messageId: 'relativeIntoPackage', data: { target: where } });
        return;
      }
      const match = /^(@devkit\/[^/]+)/.exec(specifier);
      if (!match) return;
      const imported = match[1];
      if (!declared.has(imported)) {
        context.report({ node: source, messageId: 'undeclared', data: { name: imported, order: ORDER_TEXT } });
        return;
      }
      if (!owner) return;
      if (!declared.has(owner.name)) {
        context.report({ node: source, messageId: 'undeclared', data: { name: owner.name, order: ORDER_TEXT } });
        return;
      }
      if (owner.test && TEST_ONLY_PACKAGES.includes(imported)) return;
      const reason = layeringViolation(owner.name, imported);
      if (reason) context.report({ node: source, messageId: 'order', data: { reason } });
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.source),
      TSExternalModuleReference: (node) => check(node.expression),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node.arguments[0]);
      },
    };
  },
};

/** The repo's own ESLint plugin: `plugins: { devkit: devkitPlugin }`. */
export const devkitPlugin = {
  meta: { name: 'devkit' },
  rules: { layering: layeringRule },
};
