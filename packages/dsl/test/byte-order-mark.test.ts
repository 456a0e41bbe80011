import { compile, formatDslError } from '../src';

const BOM = '\uFEFF';

describe('a strategy file saved with a UTF-8 byte-order mark', () => {
  it.each([
    ['a .clj strategy', '(defsymphony "s" {}\n  (weight-equal [(asset "SPY") (asset "TLT")]))'],
    ['an EDN score tree', '{:step :root :name "s" :children [{:step :asset :ticker "SPY"}]}'],
    ['a JSON score tree', '{"step": "root", "name": "s", "children": [{"step": "asset", "ticker": "SPY"}]}'],
  ])('reads %s as without the mark', (_what, source) => {
    const plain = compile(source, 's.clj');
    const marked = compile(`${BOM}${source}`, 's.clj');
    expect(plain.ok).toBe(true);
    expect(marked.ok).toBe(true);
    expect(marked.ok && marked.value.symbols).toEqual(plain.ok && plain.value.symbols);
  });

  it('reports a real error at the same line and column as without the mark', () => {
    const source = '(defsymphony "s" {}\n  (weight-equal [(asset "SPY") (frobnicate 3)]))';
    const plain = compile(source, 's.clj');
    const marked = compile(`${BOM}${source}`, 's.clj');
    expect(plain.ok).toBe(false);
    expect(!marked.ok && marked.error.map((e) => formatDslError(e))).toEqual(
      !plain.ok && plain.error.map((e) => formatDslError(e)),
    );
  });
});
