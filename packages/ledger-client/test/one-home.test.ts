import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Symbol } from '@books/core';
import { keys, SK_PREFIX } from '../src';

const ROOT = join(__dirname, '../../..');
const LEDGER_CLIENT = join(ROOT, 'packages', 'ledger-client', 'src');
const DOC = readFileSync(join(ROOT, 'docs', 'ledger.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const packageSources = readdirSync(join(ROOT, 'packages')).flatMap((pkg) => {
  const src = join(ROOT, 'packages', pkg, 'src');
  try {
    return statSync(src).isDirectory() ? sources(src) : [];
  } catch {
    return [];
  }
});

/** Every `entity: '…'` an encoder of ledger-client writes. */
const entities = [
  ...new Set(
    sources(LEDGER_CLIENT).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/entity: '([A-Z_]+)'/g)].map((m) => m[1]),
    ),
  ),
];

describe('ledger-client is the one home of the table', () => {
  it('finds the item kinds it encodes', () => {
    expect(entities.length).toBeGreaterThan(15);
  });

  it.each(entities)('docs/ledger.md lists the item kind %s', (entity) => {
    expect(DOC).toContain(`\`${entity}\``);
  });

  it.each(Object.entries(SK_PREFIX))('docs/ledger.md shows the sort-key prefix %s (%s)', (_, prefix) => {
    expect(DOC).toContain(prefix);
  });

  it('docs/ledger.md shows the partitions that are not a strategy’s or a run’s', () => {
    for (const pk of [
      'POISON',
      'LOCK#SYMBOL#',
      'LEGACY#SIGNALS',
      'LEGACY#TRADES',
      'RECON#',
      '#ADJUSTMENT',
      '#FLOW',
    ])
      expect(DOC).toContain(pk);
    expect(DOC).toContain(keys.symbolLock(Symbol('SPY')).SK);
  });

  it('no other package builds a ledger key or writes an item kind', () => {
    const offenders = packageSources
      .filter((f) => !f.startsWith(LEDGER_CLIENT))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${relative(ROOT, f)}:${i + 1}`, line }))
          .filter(({ line }) => /\b(PK|SK|GSI1PK|GSI1SK): *[`'"]|\bentity: *'/.test(line)),
      )
      .map(({ where, line }) => `${where}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });
});
