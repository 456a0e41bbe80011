import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import Decimal from 'decimal.js';
import { unsupported, validation } from './errors';
import type { Condition, Operand, Path, SetOperand, SetValue, UpdateAction } from './expression';

export type Item = Record<string, AttributeValue>;

/** DynamoDB numbers: up to 38 significant digits, exact. */
const Num = Decimal.clone({ precision: 38, toExpNeg: -130, toExpPos: 126 });

/**
 * Already in DynamoDB's form: an optional minus, an integer part without leading zeros, a
 * fraction without trailing zeros, at most 38 digits (so at most 38 significant ones); not "-0".
 */
const CANONICAL_NUMBER = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

/** A number as DynamoDB stores and returns it: no leading or trailing zeros, no exponent. */
export function normalizeNumber(text: string): string {
  if (text.length <= 40 && text !== '-0' && CANONICAL_NUMBER.test(text) && digitCount(text) <= 38)
    return text;
  let d: Decimal;
  try {
    d = new Num(text);
  } catch {
    throw validation(`The parameter cannot be converted to a numeric value: ${text}`);
  }
  if (!d.isFinite()) throw validation(`The parameter cannot be converted to a numeric value: ${text}`);
  if (d.sd() > 38)
    throw validation(`Attempting to store more than 38 significant digits in a Number: ${text}`);
  return d.toFixed();
}

function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * A copy of an item with every number normalized, as DynamoDB stores it (`N` "1.50" reads back
 * "1.5"): no object of the result is shared with the input.
 */
export function normalizeItem(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) out[k] = normalizeValue(v);
  return out;
}

function normalizeValue(v: AttributeValue): AttributeValue {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: normalizeNumber(v.N) };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  if (v.NULL !== undefined) return { NULL: v.NULL };
  if (v.L !== undefined) return { L: v.L.map(normalizeValue) };
  if (v.M !== undefined) return { M: normalizeItem(v.M) };
  if (v.SS !== undefined) return { SS: [...v.SS] };
  if (v.NS !== undefined) return { NS: v.NS.map(normalizeNumber) };
  throw unsupported('this attribute type (binary)');
}

/** A deep copy of a stored item (already normalized), cheaper than structuredClone for this shape. */
export function copyItem(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) out[k] = copyValue(v);
  return out;
}

function copyValue(v: AttributeValue): AttributeValue {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  if (v.NULL !== undefined) return { NULL: v.NULL };
  if (v.L !== undefined) return { L: v.L.map(copyValue) };
  if (v.M !== undefined) return { M: copyItem(v.M) };
  if (v.SS !== undefined) return { SS: [...v.SS] };
  if (v.NS !== undefined) return { NS: [...v.NS] };
  throw unsupported('this attribute type (binary)');
}

/**
 * Byte order of UTF-8, which is how DynamoDB orders strings. JS code units order the same up to
 * U+D7FF; where the first difference involves a surrogate or a unit above it, the UTF-8 bytes
 * decide.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 || y >= 0xd800) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Orders two scalars of one type (S or N); undefined when they are not comparable. */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.S !== undefined && b.S !== undefined) return compareStrings(a.S, b.S);
  if (a.N !== undefined && b.N !== undefined) return new Num(a.N).comparedTo(new Num(b.N));
  return undefined;
}

export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  if (a.S !== undefined) return b.S === a.S;
  if (a.N !== undefined) return b.N !== undefined && new Num(a.N).eq(new Num(b.N));
  if (a.BOOL !== undefined) return b.BOOL === a.BOOL;
  if (a.NULL !== undefined) return b.NULL !== undefined;
  if (a.L !== undefined) {
    const bl = b.L;
    return (
      bl !== undefined &&
      a.L.length === bl.length &&
      a.L.every((x, i) => {
        const y = bl[i];
        return y !== undefined && valuesEqual(x, y);
      })
    );
  }
  if (a.M !== undefined) {
    const bm = b.M;
    if (bm === undefined) return false;
    const entries = Object.entries(a.M);
    return (
      entries.length === Object.keys(bm).length &&
      entries.every(([k, x]) => {
        const y = bm[k];
        return y !== undefined && valuesEqual(x, y);
      })
    );
  }
  if (a.SS !== undefined)
    return b.SS !== undefined && a.SS.length === b.SS.length && a.SS.every((x) => b.SS?.includes(x));
  if (a.NS !== undefined)
    return (
      b.NS !== undefined &&
      a.NS.length === b.NS.length &&
      a.NS.every((x) => b.NS?.some((y) => new Num(x).eq(new Num(y))))
    );
  throw unsupported('comparing this attribute type');
}

export function resolvePath(item: Item | undefined, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined = item === undefined ? undefined : { M: item };
  for (const part of path) {
    if (current === undefined) return undefined;
    current = typeof part === 'number' ? current.L?.[part] : current.M?.[part];
  }
  return current;
}

function operandValue(item: Item | undefined, operand: Operand): AttributeValue | undefined {
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path':
      return resolvePath(item, operand.path);
    case 'size': {
      const v = resolvePath(item, operand.path);
      if (v === undefined) return undefined;
      const n =
        v.S !== undefined
          ? Buffer.byteLength(v.S, 'utf8')
          : (v.L?.length ?? (v.M ? Object.keys(v.M).length : (v.SS?.length ?? v.NS?.length)));
      return n === undefined ? undefined : { N: String(n) };
    }
  }
}

/** Evaluates a condition on an item (undefined: the item does not exist). */
export function evaluateCondition(item: Item | undefined, c: Condition): boolean {
  switch (c.kind) {
    case 'and':
      return evaluateCondition(item, c.left) && evaluateCondition(item, c.right);
    case 'or':
      return evaluateCondition(item, c.left) || evaluateCondition(item, c.right);
    case 'not':
      return !evaluateCondition(item, c.inner);
    case 'exists':
      return resolvePath(item, c.path) !== undefined;
    case 'not_exists':
      return resolvePath(item, c.path) === undefined;
    case 'compare': {
      const a = operandValue(item, c.left);
      const b = operandValue(item, c.right);
      if (a === undefined || b === undefined) return c.op === '<>' ? a !== b : false;
      if (c.op === '=') return valuesEqual(a, b);
      if (c.op === '<>') return !valuesEqual(a, b);
      const order = compareScalars(a, b);
      if (order === undefined) return false;
      return c.op === '<' ? order < 0 : c.op === '<=' ? order <= 0 : c.op === '>' ? order > 0 : order >= 0;
    }
    case 'between': {
      const v = operandValue(item, c.subject);
      const lo = operandValue(item, c.low);
      const hi = operandValue(item, c.high);
      if (v === undefined || lo === undefined || hi === undefined) return false;
      const bounds = compareScalars(lo, hi);
      if (bounds !== undefined && bounds > 0)
        throw validation(
          'Invalid KeyConditionExpression: the BETWEEN lower bound is greater than the upper bound',
        );
      const a = compareScalars(v, lo);
      const b = compareScalars(v, hi);
      return a !== undefined && b !== undefined && a >= 0 && b <= 0;
    }
    case 'in': {
      const v = operandValue(item, c.subject);
      return (
        v !== undefined &&
        c.list.some((o) => {
          const x = operandValue(item, o);
          return x !== undefined && valuesEqual(v, x);
        })
      );
    }
    case 'begins_with': {
      const v = operandValue(item, c.subject);
      const p = operandValue(item, c.operand);
      return v?.S !== undefined && p?.S !== undefined && v.S.startsWith(p.S);
    }
    case 'contains': {
      const v = operandValue(item, c.subject);
      const x = operandValue(item, c.operand);
      if (v === undefined || x === undefined) return false;
      if (v.S !== undefined && x.S !== undefined) return v.S.includes(x.S);
      if (v.SS !== undefined && x.S !== undefined) return v.SS.includes(x.S);
      if (v.L !== undefined) return v.L.some((e) => valuesEqual(e, x));
      return false;
    }
  }
}

/** The item after an update's actions, each evaluated against the item as it was before. */
export function applyUpdate(
  before: Item | undefined,
  actions: readonly UpdateAction[],
  keyNames: readonly string[],
): Item {
  const after: Item = copyItem(before ?? {});
  for (const a of actions) {
    const top = a.path[0];
    if (typeof top === 'string' && keyNames.includes(top))
      throw validation(
        `One or more parameter values were invalid: Cannot update attribute ${top}. This attribute is part of the key`,
      );
    switch (a.kind) {
      case 'set':
        setPath(after, a.path, setValue(before, a.value));
        break;
      case 'remove':
        removePath(after, a.path);
        break;
      case 'add': {
        const current = resolvePath(before, a.path);
        if (a.value.N !== undefined) {
          if (current !== undefined && current.N === undefined)
            throw validation('An operand in the update expression has an incorrect data type');
          const sum = new Num(current?.N ?? '0').plus(new Num(a.value.N));
          setPath(after, a.path, { N: normalizeNumber(sum.toFixed()) });
        } else if (a.value.SS !== undefined) {
          if (current !== undefined && current.SS === undefined)
            throw validation('An operand in the update expression has an incorrect data type');
          setPath(after, a.path, { SS: [...new Set([...(current?.SS ?? []), ...a.value.SS])] });
        } else throw unsupported('ADD of this attribute type');
        break;
      }
    }
  }
  return after;
}

function setValue(item: Item | undefined, v: SetValue): AttributeValue {
  if (v.kind === 'operand') return setOperandValue(item, v.operand);
  const a = setOperandValue(item, v.left);
  const b = setOperandValue(item, v.right);
  if (a.N === undefined || b.N === undefined)
    throw validation('An operand in the update expression has an incorrect data type');
  const r = v.kind === 'plus' ? new Num(a.N).plus(new Num(b.N)) : new Num(a.N).minus(new Num(b.N));
  return { N: normalizeNumber(r.toFixed()) };
}

function setOperandValue(item: Item | undefined, o: SetOperand): AttributeValue {
  switch (o.kind) {
    case 'if_not_exists':
      return resolvePath(item, o.path) ?? setOperandValue(item, o.fallback);
    case 'list_append': {
      const a = setOperandValue(item, o.first);
      const b = setOperandValue(item, o.second);
      if (a.L === undefined || b.L === undefined)
        throw validation('An operand in the update expression has an incorrect data type');
      return { L: [...a.L, ...b.L] };
    }
    default: {
      const v = operandValue(item, o);
      if (v === undefined)
        throw validation('The provided expression refers to an attribute that does not exist in the item');
      return v;
    }
  }
}

function setPath(item: Item, path: Path, value: AttributeValue): void {
  const [head, ...rest] = path;
  if (typeof head !== 'string') throw validation('a document path starts with an attribute name');
  if (rest.length === 0) {
    item[head] = value;
    return;
  }
  let container = item[head];
  for (let i = 0; i < rest.length; i++) {
    const part = rest[i];
    const last = i === rest.length - 1;
    if (container === undefined)
      throw validation('The document path provided in the update expression is invalid for update');
    if (typeof part === 'number') {
      const list = container.L;
      if (list === undefined)
        throw validation('The document path provided in the update expression is invalid for update');
      if (last) {
        if (part >= list.length) list.push(value);
        else list[part] = value;
        return;
      }
      container = list[part];
    } else {
      const map = container.M;
      if (map === undefined || part === undefined)
        throw validation('The document path provided in the update expression is invalid for update');
      if (last) {
        map[part] = value;
        return;
      }
      container = map[part];
    }
  }
}

function removePath(item: Item, path: Path): void {
  if (path.length !== 1 || typeof path[0] !== 'string') throw unsupported('REMOVE of a nested path');
  delete item[path[0]];
}

/**
 * Whether an item's size (`itemSize`) is at most `limit`: by an upper bound that needs no UTF-8
 * encoding (a UTF-16 code unit takes at most 3 bytes, a number at most half its text plus one),
 * and by the exact size only when the bound is above the limit.
 */
export function itemFits(item: Item, limit: number): boolean {
  return itemSizeBound(item) <= limit || itemSize(item) <= limit;
}

function itemSizeBound(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += 3 * k.length + valueSizeBound(v);
  return n;
}

function valueSizeBound(v: AttributeValue): number {
  if (v.S !== undefined) return 3 * v.S.length;
  if (v.N !== undefined) return Math.ceil(v.N.length / 2) + 1;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((a, x) => a + 1 + valueSizeBound(x), 0);
  if (v.M !== undefined) return 3 + itemSizeBound(v.M) + Object.keys(v.M).length;
  if (v.SS !== undefined) return v.SS.reduce((a, x) => a + 3 * x.length, 0);
  if (v.NS !== undefined) return v.NS.reduce((a, x) => a + Math.ceil(x.length / 2) + 1, 0);
  return 0;
}

/** An item's size as DynamoDB counts it: names and values in UTF-8, numbers by their digits. */
export function itemSize(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k, 'utf8') + valueSize(v);
  return n;
}

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[-.]/g, '').length / 2) + 1;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((a, x) => a + 1 + valueSize(x), 0);
  if (v.M !== undefined) return 3 + itemSize(v.M) + Object.keys(v.M).length;
  if (v.SS !== undefined) return v.SS.reduce((a, s) => a + Buffer.byteLength(s, 'utf8'), 0);
  if (v.NS !== undefined) return v.NS.reduce((a, s) => a + valueSize({ N: s }), 0);
  return 0;
}
