import type { Node } from './ast';
import { print } from './printer';

/** Line width `format` aims for (a longer string or symbol still gets its own line). */
export const FORMAT_WIDTH = 72;

/**
 * Prints a form as readable source, in the layout of Composer's `.clj` exports: a form that fits
 * on the rest of its line is printed flat; otherwise a call puts its head on the first line and
 * each argument on its own line one column inside the `(`, and a vector or map puts each item on
 * its own line aligned after the `[` or `{`. `read(format(node))` gives the same form as `node`.
 */
export function format(node: Node, width = FORMAT_WIDTH): string {
  // Each form's one-line text, built bottom-up once (not re-printed per ancestor).
  const flat = new Map<Node, string>();
  const flatOf = (n: Node): string => {
    let text = flat.get(n);
    if (text === undefined) {
      if (n.kind === 'list') {
        const [open, close] = n.bracket === 'paren' ? ['(', ')'] : ['[', ']'];
        text = `${open}${n.items.map(flatOf).join(' ')}${close}`;
      } else if (n.kind === 'map') {
        text = `{${n.entries.map((e) => `:${e.key.name} ${flatOf(e.value)}`).join(', ')}}`;
      } else text = print(n);
      flat.set(n, text);
    }
    return text;
  };
  /** `n` printed from `column`, followed on its last line by `closers` closing brackets. */
  const layout = (n: Node, column: number, closers: number): string => {
    const text = flatOf(n);
    if (column + text.length + closers <= width || (n.kind !== 'list' && n.kind !== 'map')) return text;
    const pad = `\n${' '.repeat(column + 1)}`;
    if (n.kind === 'map') {
      const entries = n.entries.map((e, k) => {
        const key = `:${e.key.name}`;
        const after = k === n.entries.length - 1 ? closers + 1 : 1;
        const value = flatOf(e.value);
        return column + 1 + key.length + 1 + value.length + after <= width
          ? `${key} ${value}`
          : `${key}${pad}${layout(e.value, column + 1, after)}`;
      });
      return `{${entries.join(`,${pad}`)}}`;
    }
    const [open, close] = n.bracket === 'paren' ? ['(', ')'] : ['[', ']'];
    const last = n.items.length - 1;
    const items = n.items.map((x, k) => layout(x, column + 1, k === last ? closers + 1 : 0));
    if (items.length === 0) return `${open}${close}`;
    return `${open}${items.join(pad)}${close}`;
  };
  return layout(node, 0, 0);
}
