import { ManualClock, TradingDate } from '@books/core';
import { type DailyBarRow, MarketDataRateLimited, type RefreshBarsInput, refreshBars } from '../src';
import { captureLogger } from './support/capture-logger';
import { MemoryBarStore } from './support/memory-bar-store';
import { ScriptedMarketData } from './support/scripted-market-data';

/** Weekdays from `from` (inclusive), `count` of them. */
function weekdays(from: string, count: number): TradingDate[] {
  const days: TradingDate[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); days.length < count; t += 86_400_000) {
    const day = new Date(t);
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6)
      days.push(TradingDate(day.toISOString().slice(0, 10)));
  }
  return days;
}

const row = (date: string, close: string, extra: Partial<DailyBarRow> = {}): DailyBarRow => ({
  date: TradingDate(date),
  open: close,
  high: close,
  low: close,
  close,
  volume: '100',
  ...extra,
});

/** One row per day, closes 100.5, 101.5, … */
const series = (days: readonly string[], scale = 1): DailyBarRow[] =>
  days.map((d, k) => row(d, String((100.5 + k) * scale)));

const DAYS = weekdays('2024-01-01', 20); // 2024-01-01 … 2024-01-26
const at = (k: number) => DAYS[k] as TradingDate;

function setup() {
  const store = new MemoryBarStore();
  const client = new ScriptedMarketData();
  const { logger, lines } = captureLogger();
  const clock = new ManualClock('2024-01-26T23:30:00Z');
  const run = (symbols: readonly string[], today: TradingDate, extra: Partial<RefreshBarsInput> = {}) =>
    refreshBars({
      store,
      client,
      symbols,
      today,
      clock,
      logger,
      historyStart: TradingDate('2024-01-01'),
      ...extra,
    });
  return { store, client, lines, run };
}

describe('refreshBars', () => {
  it('downloads a new symbol’s history, then fetches only the days after it (with a small overlap)', async () => {
    const { store, client, run } = setup();
    client.rows.set('SPY', series(DAYS.slice(0, 10)));

    const first = await run(['SPY'], at(9));
    expect(first.symbols).toEqual([{ symbol: 'SPY', outcome: 'created', added: 10, gaps: [], rejected: [] }]);
    expect(client.calls).toEqual([{ symbols: ['SPY'], start: '2024-01-01', end: at(9) }]);

    client.rows.set('SPY', series(DAYS.slice(0, 11)));
    const second = await run(['SPY'], at(10));

    expect(client.calls[1]).toEqual({ symbols: ['SPY'], start: at(5), end: at(10) });
    expect(second.symbols[0]).toMatchObject({ outcome: 'appended', added: 1 });
    expect((await store.bars('SPY')).map((b) => b.date)).toEqual(DAYS.slice(0, 11));
    expect((await store.bars('SPY')).at(-1)?.closeText).toBe('110.5');
  });

  it('leaves a symbol alone when nothing is new', async () => {
    const { store, client, run } = setup();
    client.rows.set('SPY', series(DAYS.slice(0, 10)));
    await run(['SPY'], at(9));

    const again = await run(['SPY'], at(9));

    expect(again.symbols[0]).toMatchObject({ outcome: 'unchanged', added: 0 });
    expect(store.writes).toEqual(['SPY']);
  });

  it('fetches symbols that start on the same date in one request', async () => {
    const { client, run } = setup();
    for (const s of ['SPY', 'QQQ', 'BRK/B']) client.rows.set(s, series(DAYS.slice(0, 3)));
    await run(['SPY', 'QQQ', 'BRK/B'], at(2));
    expect(client.calls).toEqual([{ symbols: ['BRK/B', 'QQQ', 'SPY'], start: '2024-01-01', end: at(2) }]);
  });

  it('downloads the whole history again when an overlapping bar was restated, and reports it', async () => {
    const { store, client, run } = setup();
    client.rows.set('SPY', series(DAYS.slice(0, 10)));
    client.rows.set('QQQ', series(DAYS.slice(0, 10)));
    await run(['SPY', 'QQQ'], at(9));

    // A 2-for-1 split: every earlier SPY price is halved.
    client.rows.set('SPY', series(DAYS.slice(0, 11), 0.5));
    client.rows.set('QQQ', series(DAYS.slice(0, 11)));
    const report = await run(['SPY', 'QQQ'], at(10));

    const spy = report.symbols.find((s) => s.symbol === 'SPY');
    expect(spy).toMatchObject({ outcome: 'restated', added: 11 });
    expect(spy?.restatement).toContain(`${at(5)}: stored close 105.5`);
    expect(spy?.restatement).toContain('now 52.75');
    expect(client.calls.at(-1)).toEqual({ symbols: ['SPY'], start: '2024-01-01', end: at(10) });
    expect((await store.bars('SPY')).map((b) => b.closeText)).toEqual(
      series(DAYS.slice(0, 11), 0.5).map((r) => r.close),
    );
    expect(report.symbols.find((s) => s.symbol === 'QQQ')).toMatchObject({ outcome: 'appended', added: 1 });
  });

  it('treats a bar appearing inside the overlap where none was stored as a restatement', async () => {
    const { store, client, run } = setup();
    client.rows.set(
      'SPY',
      series(DAYS.slice(0, 10)).filter((r) => r.date !== at(8)),
    );
    await run(['SPY'], at(9));
    client.rows.set('SPY', series(DAYS.slice(0, 10)));

    const report = await run(['SPY'], at(9));

    expect(report.symbols[0]).toMatchObject({ outcome: 'restated', added: 10 });
    expect(report.symbols[0]?.restatement).toContain(`${at(8)}: a bar now exists`);
    expect(await store.bars('SPY')).toHaveLength(10);
  });

  it('reports the trading days a symbol misses, judged by the days other symbols have', async () => {
    const { client, run } = setup();
    client.rows.set('SPY', series(DAYS.slice(0, 5)));
    client.rows.set(
      'QQQ',
      series(DAYS.slice(0, 5)).filter((r) => r.date !== at(3)),
    );
    client.rows.set('TLT', series(DAYS.slice(0, 3)));

    const report = await run(['SPY', 'QQQ', 'TLT'], at(4));

    const gaps = Object.fromEntries(report.symbols.map((s) => [s.symbol, s.gaps]));
    expect(gaps).toEqual({ SPY: [], QQQ: [at(3)], TLT: [at(3), at(4)] });
  });

  it('reports a symbol that received nothing new while others did', async () => {
    const { client, run } = setup();
    client.rows.set('SPY', series(DAYS.slice(0, 5)));
    client.rows.set('QQQ', series(DAYS.slice(0, 5)));
    await run(['SPY', 'QQQ'], at(4));
    client.rows.set('SPY', series(DAYS.slice(0, 6)));

    const report = await run(['SPY', 'QQQ'], at(5));

    expect(report.symbols.find((s) => s.symbol === 'QQQ')).toMatchObject({
      outcome: 'unchanged',
      gaps: [at(5)],
    });
  });

  it('rejects malformed rows, reports them and never writes them', async () => {
    const { store, client, lines, run } = setup();
    client.serveBeyondEnd = true;
    client.rows.set('SPY', [
      row(at(0), '100'),
      row(at(1), '0'),
      row(at(2), '101', { low: '102', high: '100' }),
      row(at(3), '-1.5'),
      row(at(4), '102'),
      row(at(4), '102.5'),
      row(at(3), '99'),
      row(at(5), '103', { volume: '1e3' }),
      row(at(6), '104'),
      row(at(7), '105'),
    ]);

    const report = await run(['SPY'], at(6));

    expect(report.symbols[0]?.rejected).toEqual([
      { date: at(1), problem: 'close "0" is not positive' },
      { date: at(2), problem: 'low 102 is above high 100' },
      { date: at(3), problem: 'open "-1.5" is not a non-negative decimal' },
      { date: at(4), problem: 'duplicate bar' },
      { date: at(3), problem: `comes after ${at(4)}: dates must ascend` },
      { date: at(5), problem: 'volume "1e3" is not a non-negative decimal' },
      { date: at(7), problem: `dated after ${at(6)}` },
    ]);
    expect((await store.bars('SPY')).map((b) => b.date)).toEqual([at(0), at(4), at(6)]);
    expect(report.symbols[0]).toMatchObject({ outcome: 'created', added: 3 });
    expect(
      lines.some((l) => l.includes('"level":"warn"') && l.includes('close \\"0\\" is not positive')),
    ).toBe(true);
  });

  it('fails one symbol alone when its fetch fails, asking again for the others one by one', async () => {
    const { store, client, run } = setup();
    for (const s of ['SPY', 'BAD', 'QQQ']) client.rows.set(s, series(DAYS.slice(0, 3)));
    client.failing.add('BAD');

    const report = await run(['SPY', 'BAD', 'QQQ'], at(2));

    expect(report.symbols.map((s) => [s.symbol, s.outcome])).toEqual([
      ['BAD', 'failed'],
      ['QQQ', 'created'],
      ['SPY', 'created'],
    ]);
    expect(report.symbols[0]?.error).toContain('cannot fetch bars: malformed payload at bars.BAD[0].c');
    expect(await store.symbols()).toEqual(['QQQ', 'SPY']);
  });

  it('does not ask symbol by symbol while the source is rate limiting', async () => {
    const { client, run } = setup();
    client.outage = new MarketDataRateLimited('GET /v2/stocks/bars rate limited (HTTP 429)', new Date(), {});

    const report = await run(['SPY', 'QQQ'], at(2));

    expect(client.calls).toHaveLength(1);
    expect(report.symbols.map((s) => [s.symbol, s.outcome])).toEqual([
      ['QQQ', 'failed'],
      ['SPY', 'failed'],
    ]);
    expect(report.symbols[0]?.error).toContain('rate limited');
  });

  it('fails a symbol whose stored file cannot be read, without overwriting it', async () => {
    const { store, client, run } = setup();
    client.rows.set('SPY', series(DAYS.slice(0, 3)));
    client.rows.set('QQQ', series(DAYS.slice(0, 3)));
    store.brokenReads.set('QQQ', new Error('s3://b/bars/QQQ.csv:7: duplicate bar for 2024-01-05'));

    const report = await run(['SPY', 'QQQ'], at(2));

    expect(report.symbols.find((s) => s.symbol === 'QQQ')).toMatchObject({
      outcome: 'failed',
      error: 'cannot read the stored bars: s3://b/bars/QQQ.csv:7: duplicate bar for 2024-01-05',
    });
    expect(store.writes).toEqual(['SPY']);
  });

  it('reports a write that lost to a concurrent refresh', async () => {
    const { store, client, run } = setup();
    client.rows.set('SPY', series(DAYS.slice(0, 3)));
    store.conflictOn.add('SPY');

    const report = await run(['SPY'], at(2));

    expect(report.symbols[0]).toMatchObject({ outcome: 'failed', added: 0 });
    expect(report.symbols[0]?.error).toContain('cannot write the bars: SPY.csv changed since it was read');
  });

  it('fails a symbol the data source has no bars for', async () => {
    const { run } = setup();
    const report = await run(['NOPE'], at(2));
    expect(report.symbols[0]).toMatchObject({ outcome: 'failed', error: 'the data source returned no bars' });
  });

  it('keeps the stored bars when the fresh download after a restatement is empty', async () => {
    const { store, client, run } = setup();
    client.rows.set('SPY', series(DAYS.slice(0, 10)));
    await run(['SPY'], at(9));
    client.rows.set('SPY', series(DAYS.slice(0, 10), 0.5));
    const fetchRange = client.dailyBars.bind(client);
    client.dailyBars = async (symbols, start, end) =>
      start === '2024-01-01' ? new Map(symbols.map((s) => [s, []])) : fetchRange(symbols, start, end);

    const report = await run(['SPY'], at(9));

    expect(report.symbols[0]).toMatchObject({
      outcome: 'failed',
      error: 'the fresh download returned no bars; the stored bars are kept',
    });
    expect(report.symbols[0]?.restatement).toContain('stored close 105.5');
    expect((await store.bars('SPY')).map((b) => b.closeText)).toEqual(
      series(DAYS.slice(0, 10)).map((r) => r.close),
    );
  });

  it('stamps the report with the injected clock', async () => {
    const { run } = setup();
    const report = await run([], at(2));
    expect(report).toEqual({
      today: at(2),
      startedAt: '2024-01-26T23:30:00.000Z',
      finishedAt: '2024-01-26T23:30:00.000Z',
      symbols: [],
    });
  });
});
