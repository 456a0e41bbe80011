import type { Node } from './ast';

/** The `:window` of an indicator's parameter (a map or a bare number); undefined when absent. */
export function windowParam(param: Node | undefined): Node | undefined {
  if (param === undefined) return undefined;
  if (param.kind === 'number') return param;
  if (param.kind === 'map') return param.entries.find((e) => e.key.name === 'window')?.value;
  return undefined;
}

export function isPositiveInteger(node: Node | undefined): boolean {
  return node?.kind === 'number' && Number.isInteger(node.value) && node.value >= 1;
}
