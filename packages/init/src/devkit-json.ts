import { findNodeAtLocation, parse, parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { DevkitConfig } from '@devkit/config';

export interface DevkitJsonPlan {
  /** The file's new text; equal to the current one when nothing is missing. */
  text: string;
  /** Key paths the file already had with another value than devkit init would write: kept as they are. */
  kept: string[];
  /** Key paths added. */
  added: string[];
  /** Why the current file cannot be merged (not JSON); the caller skips it without --force. */
  unreadable?: string | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The indentation unit the file uses (its first indented line), so an added key looks like its neighbours. */
function indentUnit(text: string): string {
  const match = /\n([ \t]+)\S/.exec(text);
  return match?.[1]?.startsWith('\t') ? '\t' : ' '.repeat(match?.[1]?.length ?? 2);
}

/** The whitespace a line starts with, for the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/**
 * Inserts `"key": value` into the object at `path`, touching nothing else: after its last
 * property (or first, for `$schema`), indented like its neighbours, the value pretty-printed.
 */
function insertProperty(text: string, path: string[], key: string, value: unknown, unit: string, eol: string): string {
  const tree = parseTree(text, [], { allowTrailingComma: true })!;
  const object: Node = path.length ? findNodeAtLocation(tree, path)! : tree;
  const props = object.children ?? [];
  const outer = lineIndent(text, object.offset);
  const inner = props.length ? lineIndent(text, props[0]!.offset) : outer + unit;
  const sameLine = props.length > 0 && !text.slice(object.offset, props[0]!.offset).includes('\n');
  // An object written on one line gets its new key on that line too.
  const json = sameLine
    ? JSON.stringify(value, null, 1)
        .replace(/\n\s*/g, ' ')
        .replace(/\[ | \]/g, (m) => m.trim())
    : JSON.stringify(value, null, unit).split('\n').join(`${eol}${inner}`);
  const rendered = `${JSON.stringify(key)}: ${json}`;
  const sep = sameLine ? ' ' : `${eol}${inner}`;
  if (props.length === 0) {
    const end = object.offset + object.length - 1;
    return `${text.slice(0, object.offset + 1)}${eol}${inner}${rendered}${eol}${outer}${text.slice(end)}`;
  }
  if (key === '$schema') {
    const at = props[0]!.offset;
    return `${text.slice(0, at)}${rendered},${sep}${text.slice(at)}`;
  }
  const last = props.at(-1)!;
  const at = last.offset + last.length;
  return `${text.slice(0, at)},${sep}${rendered}${text.slice(at)}`;
}

/**
 * Sets one string-or-JSON value at `path` in a JSON text, touching nothing else: a value that is
 * there is replaced in place, a missing key is inserted beside its neighbours (with any missing
 * parent objects).
 */
export function setJsonValue(text: string, path: string[], value: unknown): string {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  if (!tree) throw new Error('not JSON');
  const node = findNodeAtLocation(tree, path);
  if (node) return `${text.slice(0, node.offset)}${JSON.stringify(value)}${text.slice(node.offset + node.length)}`;
  // the deepest parent that exists gets the rest of the path as one nested value
  let depth = path.length - 1;
  while (depth > 0 && !findNodeAtLocation(tree, path.slice(0, depth))) depth--;
  let nested: unknown = value;
  for (let i = path.length - 1; i > depth; i--) nested = { [path[i]!]: nested };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return insertProperty(text, path.slice(0, depth), path[depth]!, nested, indentUnit(text), eol);
}

/** A new devkit.json: the inferred keys in the schema's order, two-space JSON. */
export function renderDevkitJson(config: DevkitConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Merges what init inferred into an existing devkit.json (JSON with comments allowed): only keys
 * it lacks are added, at any depth of objects; a key it has is kept, whatever its value. Each
 * addition is inserted as text beside its neighbours, so comments and formatting stay as they were.
 */
export function mergeDevkitJson(current: string, inferred: DevkitConfig): DevkitJsonPlan {
  const errors: ParseError[] = [];
  const existing: unknown = parse(current, errors, { allowTrailingComma: true });
  if (errors.length > 0 || !isObject(existing))
    return { text: current, kept: [], added: [], unreadable: 'it is not a JSON object' };
  let text = current;
  const kept: string[] = [];
  const added: string[] = [];
  const unit = indentUnit(current);
  const eol = current.includes('\r\n') ? '\r\n' : '\n';
  const walk = (have: Record<string, unknown>, want: Record<string, unknown>, path: string[]) => {
    for (const [key, value] of Object.entries(want)) {
      const keyPath = [...path, key];
      if (!(key in have)) {
        text = insertProperty(text, path, key, value, unit, eol);
        added.push(keyPath.join('.'));
      } else if (isObject(have[key]) && isObject(value)) {
        walk(have[key], value, keyPath);
      } else if (JSON.stringify(have[key]) !== JSON.stringify(value)) {
        kept.push(keyPath.join('.'));
      }
    }
  };
  walk(existing, inferred as Record<string, unknown>, []);
  return { text, kept, added };
}
