import { findNodeAtLocation, type Node as JsonNode } from 'jsonc-parser';

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
