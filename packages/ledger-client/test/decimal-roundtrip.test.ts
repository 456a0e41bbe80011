import { Money, Price, Quantity } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import fc from 'fast-check';
import { decodeLot, encodeLot, keys, LedgerTable } from '../src';
import { aLot } from './support/builders';

// Canonical decimal text: no leading zeros, no trailing fractional zeros, no "-0".
const canonicalDecimal = fc
  .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9]\d{0,29})$/), fc.stringMatching(/^(\d{0,19}[1-9])?$/))
  .map(([negative, whole, fraction]) => {
    const text = fraction === '' ? whole : `${whole}.${fraction}`;
    return negative && text !== '0' ? `-${text}` : text;
  });

describe('decimals through DynamoDB Local', () => {
  let test: TestTable;
  let table: LedgerTable;
  beforeAll(async () => {
    test = await createTestTable('decimals');
    table = new LedgerTable(test.client, test.tableName);
  });
  afterAll(() => test.cleanup());

  it('any decimal string survives put and get unchanged', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(canonicalDecimal, canonicalDecimal, canonicalDecimal, async (qty, price, cost) => {
        const lot = aLot({
          orderId: `prop-${n++}`,
          openQty: Quantity.parse(qty),
          openPrice: Price.parse(price),
          cost: Money.parse(cost),
        });
        await table.put(encodeLot(lot));
        const item = await table.getItem(keys.lot(lot.strategyId, lot.symbol, lot.openedAt, lot.orderId));
        const stored = item && decodeLot(item);
        expect(stored?.openQty.toString()).toBe(qty);
        expect(stored?.openPrice.toString()).toBe(price);
        expect(stored?.cost.toString()).toBe(cost);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('keeps digits a binary float would lose', async () => {
    const lot = aLot({ orderId: 'float-trap', cost: Money.parse('0.1').plus(Money.parse('0.2')) });
    await table.put(encodeLot(lot));
    const item = await table.getItem(keys.lot(lot.strategyId, lot.symbol, lot.openedAt, lot.orderId));
    expect(item?.cost).toEqual({ S: '0.3' });
  });
});
