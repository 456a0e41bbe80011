import { type RawActivityRow, toActivity } from '@books/broker';
import { Money, Price, Quantity, StrategyId, Symbol, type TradingDate } from '@books/core';
import type { Lot } from '@books/portfolio';
import { type ActivityPlan, type Holding, planActivity } from '../../src/activities/plan-activity';

const AT = '2025-10-06T19:30:00.000Z';
const row = (fields: Record<string, string>): RawActivityRow => ({
  id: `${fields.date?.replace(/-/g, '')}000000000::${fields.activity_type}-${fields.symbol ?? 'acct'}`,
  status: 'executed',
  ...fields,
});
const lot = (symbol: string, qty: string, cost: string, n = 1): Lot => ({
  symbol: Symbol(symbol),
  openedAt: `2025-09-0${n}T20:00:00.000Z`,
  orderId: `o${n}`,
  openQty: Quantity.parse(qty),
  openPrice: Price.of(Money.parse(cost).value.dividedBy(qty)),
  cost: Money.parse(cost),
});
const holding = (sid: string, lots: Lot[], heldBefore?: string): Holding => ({
  strategyId: StrategyId(sid),
  lots,
  heldBefore:
    heldBefore === undefined ? Quantity.sum(lots.map((l) => l.openQty)) : Quantity.parse(heldBefore),
});
const plan = (rows: RawActivityRow[], holdings: Holding[], asked: string[] = []): ActivityPlan =>
  planActivity(
    rows.map((r) => toActivity(r)),
    {
      at: AT,
      holdings: (symbol: Symbol, date: TradingDate) => {
        asked.push(`${symbol} ${date}`);
        return holdings.filter((h) => h.lots.some((l) => l.symbol === symbol) || h.heldBefore.isPositive());
      },
    },
  );
/** `sid kind amount/keep/cash` per posting, for plans to the books. */
const postings = (p: ActivityPlan) => {
  if (p.kind !== 'books') return p;
  return p.postings.map(({ strategyId, posting }) => {
    if (posting.kind === 'income') return `${strategyId} income ${posting.amount}`;
    if (posting.kind === 'split')
      return `${strategyId} split ${posting.to}:${posting.from} keep ${posting.keepQty} cash ${posting.cash}`;
    return `${strategyId} rename ${posting.symbol}→${posting.newSymbol}`;
  });
};

describe('planActivity', () => {
  describe('dividends', () => {
    const div = row({
      activity_type: 'DIV',
      activity_sub_type: 'CDIV',
      date: '2025-10-31',
      symbol: 'SPY',
      qty: '30',
      per_share_amount: '0.3333',
      net_amount: '10.00',
      description: 'Cash DIV @ 0.3333, Pos QTY: 30, Ex Date: 2025-09-19, Rec Date: 2025-09-19',
    });

    it('pays the books that held the symbol at its ex date, pro rata, to the cent (Σ = net amount)', () => {
      // 10 + 10 + 10 shares: 3.34 / 3.33 / 3.33 (the leftover cent to the first of the tie).
      const asked: string[] = [];
      const p = plan(
        [div],
        [
          holding('a', [lot('SPY', '10', '5000')]),
          holding('b', [lot('SPY', '25', '12000')], '10'),
          holding('c', [], '10'),
        ],
        asked,
      );
      expect(asked).toEqual(['SPY 2025-09-19']);
      expect(postings(p)).toEqual(['a income 3.34', 'b income 3.33', 'c income 3.33']);
    });

    it('is pending when the books held another number of shares than the broker paid on', () => {
      const p = plan([div], [holding('a', [lot('SPY', '29', '100')])]);
      expect(p).toEqual({
        kind: 'pending',
        reason: 'the broker paid SPY on 30 shares; the books held 29 at 2025-09-19',
      });
    });

    it('is pending when no book held the symbol at its ex date (never a guess)', () => {
      expect(plan([div], [holding('a', [lot('SPY', '30', '100')], '0')])).toEqual({
        kind: 'pending',
        reason: 'no book held SPY at its ex date 2025-09-19',
      });
    });
  });

  describe('splits', () => {
    it('splits 2:1 every holder with no cash (keep = twice the shares)', () => {
      const split = row({
        activity_type: 'SPLIT',
        activity_sub_type: 'FSPLIT',
        date: '2025-10-06',
        symbol: 'QQQ',
        qty: '12.5',
        net_amount: '0',
        description: '2:1 forward split',
      });
      const p = plan(
        [split],
        [holding('a', [lot('QQQ', '10', '5000')]), holding('b', [lot('QQQ', '2.5', '1200')])],
      );
      expect(postings(p)).toEqual(['a split 2:1 keep 20 cash 0', 'b split 2:1 keep 5 cash 0']);
    });

    it('reverse-splits 1:10 whole shares: the account keeps 4, the fractions are cash in lieu pro rata', () => {
      // a 25 → 2.5, b 16 → 1.6: 4.1 exact, the broker keeps 4 and pays 0.1 share × 190 = 19.00.
      // Whole shares by largest remainder over 2.5 / 1.6 (× 4 / 4.1 = 2.439 / 1.561): a 2, b 2.
      // a gives up 0.5 share, b receives 0.4: b pays 0.4 × 190 = 76.00, a gets 19.00 + 76.00 = 95.00.
      const split = row({
        activity_type: 'SPLIT',
        activity_sub_type: 'RSPLIT',
        date: '2025-11-03',
        symbol: 'TLT',
        qty: '-37',
        net_amount: '19.00',
        description: '1:10 reverse split',
      });
      const p = plan(
        [split],
        [holding('a', [lot('TLT', '25', '2250')]), holding('b', [lot('TLT', '16', '1440')])],
      );
      expect(postings(p)).toEqual(['a split 1:10 keep 2 cash 95', 'b split 1:10 keep 2 cash -76']);
    });

    it('takes the ratio from the quantities when the row states none and pays no cash', () => {
      const split = row({
        activity_type: 'SPLIT',
        activity_sub_type: 'FSPLIT',
        date: '2025-10-06',
        symbol: 'QQQ',
        qty: '20',
        net_amount: '0',
      });
      expect(postings(plan([split], [holding('a', [lot('QQQ', '10', '100')])]))).toEqual([
        'a split 30:10 keep 30 cash 0',
      ]);
    });

    it('is pending when a holder traded the symbol since the split date', () => {
      const split = row({
        activity_type: 'SPLIT',
        activity_sub_type: 'FSPLIT',
        date: '2025-10-06',
        symbol: 'QQQ',
        qty: '10',
        description: '2:1',
      });
      const p = plan([split], [holding('a', [lot('QQQ', '12', '100')], '10')]);
      expect(p.kind).toBe('pending');
    });
  });

  it('renames the holders’ lots on a symbol change (the row out and the row in)', () => {
    const out = row({ activity_type: 'NC', date: '2025-10-06', symbol: 'FB', qty: '-7', group_id: 'g1' });
    const into = row({ activity_type: 'NC', date: '2025-10-06', symbol: 'META', qty: '7', group_id: 'g1' });
    const p = plan(
      [out, into],
      [holding('a', [lot('FB', '4', '400')]), holding('b', [lot('FB', '3', '300')])],
    );
    expect(postings(p)).toEqual(['a rename FB→META', 'b rename FB→META']);
  });

  it('posts account cash with no symbol to the pool, signed by its type', () => {
    const csw = row({ activity_type: 'CSW', date: '2025-11-14', net_amount: '5000' });
    expect(plan([csw], [])).toMatchObject({
      kind: 'pool',
      entry: { kind: 'withdrawal', amount: Money.parse('-5000') },
    });
    const interest = row({ activity_type: 'INT', date: '2025-11-14', net_amount: '1.23' });
    expect(plan([interest], [])).toMatchObject({ kind: 'pool', entry: { kind: 'activity' } });
  });

  it('charges a fee on a symbol to its holders pro rata by shares now', () => {
    const fee = row({ activity_type: 'FEE', date: '2025-11-14', symbol: 'SPY', net_amount: '-0.05' });
    const p = plan([fee], [holding('a', [lot('SPY', '2', '100')]), holding('b', [lot('SPY', '1', '50')])]);
    // −0.05 × 2/3 = −0.0333…, × 1/3 = −0.01666…: −0.03 and −0.02.
    expect(postings(p)).toEqual(['a income -0.03', 'b income -0.02']);
  });

  it.each([
    ['MA', 'MA of XYZ carries no terms to map the lots by'],
    ['SPIN', 'SPIN of XYZ carries no terms to map the lots by'],
    ['REORG', 'REORG of XYZ carries no terms to map the lots by'],
  ])('leaves a %s pending with its reason', (type, reason) => {
    const a = row({ activity_type: type, date: '2025-10-06', symbol: 'XYZ', qty: '5' });
    expect(plan([a], [holding('a', [lot('XYZ', '5', '10')])])).toEqual({ kind: 'pending', reason });
  });

  it('leaves an unsupported type and a correction row pending', () => {
    expect(plan([row({ activity_type: 'ACATC', date: '2025-10-06' })], []).kind).toBe('pending');
    const corrected = row({ activity_type: 'CSD', date: '2025-10-06', net_amount: '5', status: 'correct' });
    expect(plan([corrected], []).kind).toBe('pending');
  });
});
