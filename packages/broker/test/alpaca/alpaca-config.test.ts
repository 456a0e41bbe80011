import { ALPACA_LIVE_URL, ALPACA_PAPER_URL, parseAlpacaConfig } from '../../src';

describe('Alpaca configuration', () => {
  it('defaults to the paper account, the IEX feed and 200 requests a minute', () => {
    expect(parseAlpacaConfig({})).toMatchObject({
      mode: 'paper',
      tradingUrl: ALPACA_PAPER_URL,
      dataUrl: 'https://data.alpaca.markets',
      feed: 'iex',
      requestsPerMinute: 200,
      keys: { source: 'env' },
    });
  });

  it('uses the live URL for live mode and an explicit URL over both', () => {
    expect(parseAlpacaConfig({ mode: 'live' }).tradingUrl).toBe(ALPACA_LIVE_URL);
    expect(parseAlpacaConfig({ mode: 'live', tradingUrl: 'http://127.0.0.1:9/' }).tradingUrl).toBe(
      'http://127.0.0.1:9',
    );
  });

  it('rejects unknown fields and an SSM source without a prefix', () => {
    expect(() => parseAlpacaConfig({ baseURL: 'x' })).toThrow();
    expect(() => parseAlpacaConfig({ keys: { source: 'ssm' } })).toThrow();
  });
});
