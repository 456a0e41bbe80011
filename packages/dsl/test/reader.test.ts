import fc from 'fast-check';
import type { Node, Span } from '../src/ast';
import { format } from '../src/format';
import { print } from '../src/printer';
import { read } from '../src/reader';
import { shapeOf } from './support/ast';

const span: Span = { line: 1, column: 1, offset: 0, end: 0 };

function readOne(text: string): Node {
  const r = read(text, 't.clj');
  if (!r.ok) throw new Error(r.error.message);
  const [form] = r.value.forms;
  if (form === undefined) throw new Error('no form');
  return form;
}

const symbolName = fc.stringMatching(/^[a-z<>=*+!?][a-z0-9<>=*+!?/.-]{0,8}$/);
const nodeArb: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary' }).map((value): Node => ({ kind: 'string', id: 0, span, value })),
    fc
      .tuple(fc.boolean(), fc.nat(99999), fc.option(fc.nat(999), { nil: undefined }))
      .map(([neg, int, frac]): Node => {
        const text = `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`;
        return { kind: 'number', id: 0, span, value: Number(text), text };
      }),
    symbolName.map((name): Node => ({ kind: 'keyword', id: 0, span, name })),
    symbolName.map((name): Node => ({ kind: 'symbol', id: 0, span, name })),
    fc
      .tuple(fc.constantFrom<'paren' | 'square'>('paren', 'square'), fc.array(tie('node'), { maxLength: 4 }))
      .map(([bracket, items]): Node => ({ kind: 'list', id: 0, span, bracket, items })),
    fc.array(fc.tuple(symbolName, tie('node')), { maxLength: 3 }).map(
      (entries): Node => ({
        kind: 'map',
        id: 0,
        span,
        entries: entries.map(([name, value]) => ({ key: { kind: 'keyword', id: 0, span, name }, value })),
      }),
    ),
  ),
})).node;

describe('read', () => {
  it('gives every form its 1-based line and column', () => {
    const form = readOne('\n  (weight-equal\n   [(asset "SPY")])');
    expect(form.span).toMatchObject({ line: 2, column: 3 });
    if (form.kind !== 'list') throw new Error('not a list');
    const vector = form.items[1];
    expect(vector?.span).toMatchObject({ line: 3, column: 4 });
  });

  it('treats commas and ; comments as whitespace', () => {
    const form = readOne('(a, b ; a comment (\n c)');
    expect(shapeOf(form)).toEqual({
      kind: 'list',
      bracket: 'paren',
      items: ['a', 'b', 'c'].map((name) => ({ kind: 'symbol', name })),
    });
  });

  it('reads string escapes', () => {
    expect(readOne('"a\\"b\\\\c"')).toMatchObject({ kind: 'string', value: 'a"b\\c' });
  });

  it.each([
    ['(a [b)', "')' does not close the '[' opened at 1:4", 1, 6],
    ['(a\n (b)', "'(' opened here is never closed", 1, 1],
    ['a)', "unexpected ')' with no open bracket", 1, 2],
    ['"abc', 'string opened at 1:1 is never closed', 1, 1],
    ['{:a}', 'a map needs an even number of forms (keyword value …)', 1, 1],
    ['{"a" 1}', 'map keys must be keywords such as :window', 1, 2],
    ['(x 1.2.3)', "'1.2.3' is not a number (expected e.g. 10 or -0.5)", 1, 4],
    ['"\\q"', "unknown escape '\\q' in a string", 1, 2],
  ])('rejects %j with a PARSE error at its position', (text, message, line, column) => {
    const r = read(text, 'bad.clj');
    expect(r.ok ? r.value : r.error).toEqual({ code: 'PARSE', message, file: 'bad.clj', line, column });
  });

  it('gives LIMIT, not a stack overflow, for 5,000-deep nesting', () => {
    const r = read(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'deep.clj');
    expect(r.ok ? 'ok' : r.error.code).toBe('LIMIT');
  });

  it('gives LIMIT for a 10 MB file', () => {
    const r = read(' '.repeat(10 * 1024 * 1024), 'huge.clj');
    expect(r.ok ? 'ok' : r.error.code).toBe('LIMIT');
  });

  it('reads the printed form back into the same form', () => {
    fc.assert(
      fc.property(nodeArb, (node) => {
        expect(shapeOf(readOne(print(node)))).toEqual(shapeOf(node));
      }),
      { numRuns: 300 },
    );
  });

  it('reads the formatted form back into the same form, at any width', () => {
    fc.assert(
      fc.property(nodeArb, fc.integer({ min: 1, max: 80 }), (node, width) => {
        expect(shapeOf(readOne(format(node, width)))).toEqual(shapeOf(node));
      }),
      { numRuns: 300 },
    );
  });

  it('reads EDN numbers and escapes only when asked to read EDN', () => {
    const edn = read('[5.5E9 +3 -1.5e-3 7N 0.25M "\\u00e9\\r"]', 't.edn', undefined, { edn: true });
    expect(edn.ok && shapeOf(edn.value.forms[0] as Node)).toEqual({
      kind: 'list',
      bracket: 'square',
      items: [
        { kind: 'number', text: '5.5E9' },
        { kind: 'number', text: '+3' },
        { kind: 'number', text: '-1.5e-3' },
        { kind: 'number', text: '7N' },
        { kind: 'number', text: '0.25M' },
        { kind: 'string', value: '\u00e9\r' },
      ],
    });
    const values = edn.ok && (edn.value.forms[0] as Node).kind === 'list' ? edn.value.forms[0] : undefined;
    expect(values?.kind === 'list' && values.items.map((n) => n.kind === 'number' && n.value)).toEqual([
      5.5e9,
      3,
      -0.0015,
      7,
      0.25,
      false,
    ]);
    for (const strategy of ['(> 1 5.5E9)', '(> 1 7N)', '"\\u00e9"']) {
      const r = read(strategy, 't.clj');
      expect(r.ok ? 'read' : r.error.code).toBe('PARSE');
    }
  });
});
