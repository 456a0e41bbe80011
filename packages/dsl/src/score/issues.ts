import type * as z from 'zod';
import type { Path } from './locate';
import { STEPS } from './schema';

/** A zod issue in the words of the score format. */
export function describeIssue(issue: z.core.$ZodIssue, path: Path, value: unknown): string {
  const at = valueAt(value, path);
  const field = path.length > 0 ? path[path.length - 1] : undefined;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const step = stepOf(at);
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `:${k}`).join(', ')} on ${step} (the engine does not know what ${issue.keys.length === 1 ? 'it does' : 'they do'}, so it refuses rather than ignores ${issue.keys.length === 1 ? 'it' : 'them'})`;
    }
    case 'invalid_union':
      if (field === 'step' && at === 'if-child')
        return 'an :if-child belongs among the children of an :if step';
      if (field === 'step') return `unknown step ${describe(at)} (known: ${STEPS.join(', ')})`;
      if (at !== null && typeof at === 'object' && !Array.isArray(at)) {
        const step = (at as Record<string, unknown>).step;
        return step === undefined
          ? 'a node of a score tree needs a :step'
          : `unknown step ${JSON.stringify(step)} (known: ${STEPS.join(', ')})`;
      }
      return `expected a node such as {:step :asset :ticker "SPY"}, got ${describe(at)}`;
    case 'invalid_value':
      if (field === 'step')
        return `expected :step ${issue.values.map(String).join(' or ')} here, got ${describe(at)}`;
      return issue.message;
    case 'invalid_type':
      if (at === undefined && typeof field === 'string')
        return `${stepOf(valueAt(value, path.slice(0, -1)))} needs :${field}`;
      return `${typeof field === 'string' ? `:${field}` : 'this value'} must be ${issue.expected === 'object' ? 'a map' : issue.expected === 'array' ? 'a vector' : `a ${issue.expected}`}, got ${describe(at)}`;
    default:
      return issue.message;
  }
}

function stepOf(node: unknown): string {
  const step = node !== null && typeof node === 'object' ? (node as Record<string, unknown>).step : undefined;
  return typeof step === 'string' ? `a :${step} step` : 'this map';
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'nil';
  if (Array.isArray(v)) return 'a vector';
  if (typeof v === 'object') return 'a map';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}
