import { ValidationError } from '@books/core';

export interface VariableContext {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  /** `params.default` overlaid with `params.<stage>`, themselves not yet resolved. */
  readonly params: Readonly<Record<string, unknown>>;
}

// Innermost Serverless variable: `${source:address}` with an optional `, fallback`.
// CloudFormation's own `${AWS::Region}` / `${Res.Attr}` (inside Fn::Sub) are left alone.
const VARIABLE = /\$\{((?:sls|self|param|opt):[^${}]*)\}/;
const WHOLE = new RegExp(`^${VARIABLE.source}$`);

/**
 * Resolves the Serverless variables this project uses in its resources: `${sls:stage}`,
 * `${self:service}`, `${param:X}`, `${opt:stage|region}`, each with an optional `, 'fallback'`.
 * A string that is exactly one variable takes the variable's own type (a param `5` stays a number).
 */
export function resolveVariables(value: unknown, ctx: VariableContext, path = ''): unknown {
  if (typeof value === 'string') return resolveString(value, ctx, path, 0);
  if (Array.isArray(value)) return value.map((v, i) => resolveVariables(v, ctx, `${path}.${i}`));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveVariables(v, ctx, path === '' ? k : `${path}.${k}`)]),
    );
  }
  return value;
}

function resolveString(text: string, ctx: VariableContext, path: string, depth: number): unknown {
  if (depth > 10) throw unresolvable(path, text, 'variables nest or refer to each other too deeply');
  let current = text;
  for (;;) {
    const match = VARIABLE.exec(current);
    if (match === null) return current;
    const expression = match[1] ?? '';
    const resolved = resolveExpression(expression, ctx, path, depth);
    if (WHOLE.test(current) && typeof resolved !== 'string') return resolved;
    current = current.replace(match[0], String(resolved));
  }
}

function resolveExpression(expression: string, ctx: VariableContext, path: string, depth: number): unknown {
  const [reference = '', ...fallbackParts] = expression.split(',');
  const fallback = fallbackParts.length > 0 ? parseFallback(fallbackParts.join(',').trim()) : undefined;
  const separator = reference.indexOf(':');
  const source = reference.slice(0, separator).trim();
  const address = reference.slice(separator + 1).trim();
  const found = lookup(source, address, ctx);
  if (found !== undefined) {
    return typeof found === 'string' ? resolveString(found, ctx, path, depth + 1) : found;
  }
  if (fallback !== undefined) return fallback;
  throw unresolvable(path, `\${${expression}}`, `${source}:${address} has no value`);
}

function lookup(source: string, address: string, ctx: VariableContext): unknown {
  switch (source) {
    case 'sls':
      return address === 'stage' ? ctx.stage : undefined;
    case 'self':
      return address === 'service' ? ctx.service : undefined;
    case 'param':
      return ctx.params[address];
    case 'opt':
      return address === 'stage' ? ctx.stage : address === 'region' ? ctx.region : undefined;
    default:
      return undefined;
  }
}

function parseFallback(text: string): unknown {
  const quoted = /^(['"])(.*)\1$/.exec(text);
  if (quoted) return quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

function unresolvable(path: string, text: string, why: string): ValidationError {
  return new ValidationError(`serverless.yml: cannot resolve ${text} at ${path}: ${why}`, [
    { path, message: why },
  ]);
}
