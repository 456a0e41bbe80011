import { ManualClock, Money, Price, Symbol, TradingDate } from '@books/core';
import { AlpacaContract, alpacaSpecPresent } from '@books/testkit';
import {
  InMemoryPaperBrokerStore,
  PaperBroker,
  type PaperCorporateActions,
  staticAssets,
  staticPrices,
} from '../../src';

const ACTIONS: PaperCorporateActions = {
  dividends: [
    {
      symbol: 'SPY',
      exDate: '2025-09-19',
      recordDate: '2025-09-19',
      payDate: '2025-10-31',
      amountPerShare: '1.75',
    },
  ],
  splits: [
    { symbol: 'QQQ', exDate: '2025-10-06', from: '1', to: '2' },
    { symbol: 'TLT', exDate: '2025-11-03', from: '10', to: '1' },
  ],
  cash: [
    { date: '2025-08-01', type: 'deposit', amount: '10000' },
    { date: '2025-11-14', type: 'withdrawal', amount: '5000' },
  ],
};

// The spec's documents are third-party test data beside the project (../shared): absent, skipped.
(alpacaSpecPresent ? describe : describe.skip)(
  "the simulated broker's activities by Alpaca's contract",
  () => {
    it('lists each dividend, split and cash movement as GET /v2/account/activities answers', async () => {
      const store = new InMemoryPaperBrokerStore();
      const broker = new PaperBroker({
        store,
        clock: new ManualClock('2025-08-01T19:30:00Z'),
        initialCash: Money.parse('1000'),
        prices: staticPrices(
          new Map([
            [Symbol('SPY'), Price.parse('500')],
            [Symbol('QQQ'), Price.parse('250')],
            [Symbol('TLT'), Price.parse('900')],
          ]),
        ),
        assets: staticAssets([], { tradable: true, fractionable: true }),
        calendar: [],
      });
      await broker.getAccount();
      const { version, value } = await store.loadAccount();
      await store.commit({
        account: {
          expectedVersion: version,
          next: {
            ...value,
            positions: {
              SPY: { qty: '10', cost: '4000' },
              QQQ: { qty: '10', cost: '2000' },
              TLT: { qty: '25', cost: '2500' },
            },
          },
        },
      });
      await broker.applyCorporateActions(ACTIONS, TradingDate('2025-12-31'));
      const rows = (await broker.listActivities()).map((a) => a.raw);
      expect(rows).toHaveLength(5);

      const contract = AlpacaContract.load();
      if (!contract) throw new Error('the spec folder is present but could not be loaded');
      expect(contract.checkResponse('GET', '/v2/account/activities', 200, JSON.stringify(rows))).toEqual([]);
      // The check can fail: a row Alpaca would never send is refused.
      const broken = [{ ...(rows[0] as object), activity_type: 'NOT_A_TYPE' }];
      expect(
        contract.checkResponse('GET', '/v2/account/activities', 200, JSON.stringify(broken)),
      ).not.toEqual([]);
    });
  },
);
