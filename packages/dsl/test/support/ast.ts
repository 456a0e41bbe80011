import type { Node } from '../../src/ast';

/** A form without ids and spans, for comparing what was read with what was printed. */
export type Shape =
  | { kind: 'list'; bracket: 'paren' | 'square'; items: Shape[] }
  | { kind: 'map'; entries: [string, Shape][] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'keyword'; name: string }
  | { kind: 'symbol'; name: string };

export function shapeOf(node: Node): Shape {
  switch (node.kind) {
    case 'list':
      return { kind: 'list', bracket: node.bracket, items: node.items.map(shapeOf) };
    case 'map':
      return { kind: 'map', entries: node.entries.map((e) => [e.key.name, shapeOf(e.value)]) };
    case 'string':
      return { kind: 'string', value: node.value };
    case 'number':
      return { kind: 'number', text: node.text };
    case 'keyword':
      return { kind: 'keyword', name: node.name };
    case 'symbol':
      return { kind: 'symbol', name: node.name };
  }
}
