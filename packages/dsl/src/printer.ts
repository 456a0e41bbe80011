import type { Node } from './ast';

/** Prints a form back as source text that `read` turns into the same form (spans aside). */
export function print(node: Node): string {
  switch (node.kind) {
    case 'list': {
      const [open, close] = node.bracket === 'paren' ? ['(', ')'] : ['[', ']'];
      return `${open}${node.items.map(print).join(' ')}${close}`;
    }
    case 'map':
      return `{${node.entries.map((e) => `${print(e.key)} ${print(e.value)}`).join(', ')}}`;
    case 'string':
      return `"${node.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
    case 'number':
      return node.text;
    case 'keyword':
      return `:${node.name}`;
    case 'symbol':
      return node.name;
  }
}
