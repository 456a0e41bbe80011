import { type BookControl, bookStanding, parseBooksConfig } from '../src';

const control = (state: BookControl['state']): BookControl => ({
  state,
  id: 'req1',
  by: 'ann',
  at: '2026-11-24T15:00:00.000Z',
  reason: 'earnings',
});
const latch = (action: 'liquidate' | 'pause') => ({
  at: '2026-11-24T20:30:00.000Z',
  runId: 'prod-2026-11-24',
  equity: '790',
  highWaterMark: '1000',
  action,
});

describe("a book's standing for the next run", () => {
  it('is active with no control and no latch', () => {
    expect(bookStanding({ liquidated: new Map() })).toEqual({ kind: 'active' });
  });

  it('is paused under a pause, with who, when and why', () => {
    expect(bookStanding({ control: control('paused'), liquidated: new Map() })).toEqual({
      kind: 'paused',
      why: 'paused by ann at 2026-11-24T15:00:00.000Z: earnings',
    });
  });

  it('liquidates under a liquidate request, then is paused once a run liquidated it', () => {
    expect(bookStanding({ control: control('liquidate'), liquidated: new Map() })).toMatchObject({
      kind: 'liquidate',
      requestId: 'req1',
    });
    expect(
      bookStanding({ control: control('liquidate'), liquidated: new Map([['req1', 'prod-2026-11-25']]) }),
    ).toMatchObject({ kind: 'paused', why: expect.stringContaining('liquidated in run prod-2026-11-25') });
  });

  it('holds a latched drawdown stop over any control, liquidating first when so configured', () => {
    expect(bookStanding({ latch: latch('pause'), liquidated: new Map() })).toMatchObject({ kind: 'paused' });
    const liquidating = bookStanding({
      control: control('paused'),
      latch: latch('liquidate'),
      liquidated: new Map(),
    });
    expect(liquidating).toMatchObject({ kind: 'liquidate', requestId: 'drawdown-prod-2026-11-24' });
    expect(
      bookStanding({
        latch: latch('liquidate'),
        liquidated: new Map([['drawdown-prod-2026-11-24', 'prod-2026-11-24']]),
      }),
    ).toMatchObject({ kind: 'paused' });
  });
});

describe('limits in the configuration', () => {
  const base = { file: 'a.clj', allocation: '0.5', flow: 'per-strategy' };
  it('parses book and account limits into decimals', () => {
    const config = parseBooksConfig(
      {
        limits: { accountDailyNotionalCap: '50000', concentrationWarning: '0.3' },
        strategies: [
          {
            ...base,
            limits: { dailyNotionalCap: '10000', drawdownStop: { maxDrawdown: '0.15', action: 'pause' } },
          },
        ],
      },
      { source: 'test' },
    );
    expect(config.limits?.accountDailyNotionalCap?.toString()).toBe('50000');
    expect(config.limits?.concentrationWarning?.toString()).toBe('0.3');
    expect(config.strategies[0]?.limits?.dailyNotionalCap?.toString()).toBe('10000');
    expect(config.strategies[0]?.limits?.drawdownStop).toMatchObject({ action: 'pause' });
  });

  it('names every bad limit', () => {
    expect(() =>
      parseBooksConfig(
        {
          limits: { concentrationWarning: '1.5' },
          strategies: [
            {
              ...base,
              limits: { dailyNotionalCap: '0', drawdownStop: { maxDrawdown: '1', action: 'stop' } },
            },
          ],
        },
        { source: 'test' },
      ),
    ).toThrow(/concentrationWarning must be in \(0, 1\]/);
    expect(() =>
      parseBooksConfig(
        {
          strategies: [
            {
              ...base,
              limits: { dailyNotionalCap: '0', drawdownStop: { maxDrawdown: '1', action: 'stop' } },
            },
          ],
        },
        { source: 'test' },
      ),
    ).toThrow(/dailyNotionalCap must be positive[\s\S]*maxDrawdown must be in \(0, 1\)[\s\S]*action must be/);
  });
});
