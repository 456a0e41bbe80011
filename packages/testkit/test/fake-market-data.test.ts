import { ManualClock } from '@books/core';
import { FakeMarketDataServer, fakeDailyBar } from '../src/alpaca/fake-market-data';

const headers = { 'apca-api-key-id': 'K', 'apca-api-secret-key': 'S' };

describe('the fake market-data server follows the spec’s feed enums', () => {
  let server: FakeMarketDataServer;
  beforeAll(async () => {
    server = await FakeMarketDataServer.start({
      clock: new ManualClock('2024-01-08T23:00:00Z'),
      keyId: 'K',
      secretKey: 'S',
      // Asks for feeds the spec does not allow on purpose, to see the fake refuse them.
      contract: null,
    });
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471')]);
  });
  afterAll(() => server.close());

  const bars = (feed: string) =>
    fetch(
      `${server.url}/v2/stocks/bars?symbols=SPY&timeframe=1Day&start=2024-01-02&end=2024-01-02&feed=${feed}`,
      {
        headers,
      },
    );
  const trades = (feed: string) =>
    fetch(`${server.url}/v2/stocks/trades/latest?symbols=SPY&feed=${feed}`, { headers });

  it.each(['iex', 'otc', 'sip', 'boats'])('serves bars of the %s feed', async (feed) => {
    expect((await bars(feed)).status).toBe(200);
  });

  it('answers 400 to bars of delayed_sip, which /v2/stocks/bars does not accept', async () => {
    const response = await bars('delayed_sip');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('invalid feed');
  });

  it.each(['delayed_sip', 'iex', 'sip'])('serves latest trades of the %s feed', async (feed) => {
    expect((await trades(feed)).status).toBe(200);
  });
});
