import { findNodeAtLocation, type Node as JsonNode } from 'jsonc-parser';

export interface Position {
  line: number;
  column: number;
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Offset of the value at `path`; for `key` set, of that property's key inside the object at
 * `path` (where an unknown key is written). Falls back to the nearest ancestor that exists.
 */
export function offsetOf(tree: JsonNode | undefined, path: ReadonlyArray<string | number>, key?: string): number {
  if (!tree) return 0;
  for (let depth = path.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(tree, path.slice(0, depth) as (string | number)[]);
    if (!node) continue;
    if (key !== undefined && depth === path.length && node.type === 'object') {
      const property = node.children?.find((child) => child.children?.[0]?.value === key);
      if (property?.children?.[0]) return property.children[0].offset;
    }
    // A value's parent is its property: point at the key, where people look first.
    if (node.parent?.type === 'property' && node.parent.children?.[0]) return node.parent.children[0].offset;
    return node.offset;
  }
  return tree.offset;
}

/** `services.postgres.version`, `native.packages["@acme/x"].build`, `hooks.pre-commit[0]`. */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || '(root)';
}
