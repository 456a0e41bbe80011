import { BarFileError, type BarStore } from '../../src';

/** Object name → content, e.g. `{ 'SPY.csv': 'date,open,…' }`. */
export type BarFiles = Readonly<Record<string, string>>;

const HEADER = 'date,open,high,low,close,volume';
export const csv = (...rows: string[]) => [HEADER, ...rows].join('\n');

/**
 * The contract every BarStore adapter satisfies, run against stores built from the same files
 * (a CSV directory today, S3 objects later).
 */
export function describeBarStore(name: string, makeStore: (files: BarFiles) => Promise<BarStore>): void {
  describe(`${name} (BarStore contract)`, () => {
    const files: BarFiles = {
      'SPY.csv': csv(
        '2024-01-02,470.1,472,469.5,471.3300,1000',
        '2024-01-03,471,473,470,472.10,1200',
        '2024-01-05,472,474,471,473,900',
      ),
      'BRK.B.csv': csv('2024-01-03,360,361,359,360.5,10', '2024-01-04,360,362,359,361,12\n'),
    };

    it('returns a symbol’s bars ascending, the close as a number and as its exact text', async () => {
      const store = await makeStore(files);
      const bars = await store.bars('SPY');
      expect(bars.map((b) => b.date)).toEqual(['2024-01-02', '2024-01-03', '2024-01-05']);
      expect(bars[0]).toEqual({
        date: '2024-01-02',
        open: 470.1,
        high: 472,
        low: 469.5,
        close: 471.33,
        closeText: '471.3300',
        volume: 1000,
      });
    });

    it('returns only the bars on or before the given date', async () => {
      const store = await makeStore(files);
      expect((await store.bars('SPY', '2024-01-04')).map((b) => b.date)).toEqual([
        '2024-01-02',
        '2024-01-03',
      ]);
      expect(await store.bars('SPY', '2023-12-31')).toEqual([]);
    });

    it('returns no bars for a symbol it does not hold', async () => {
      expect(await (await makeStore(files)).bars('QQQ')).toEqual([]);
    });

    it('finds BRK/B in BRK.B and lists it as BRK/B', async () => {
      const store = await makeStore(files);
      expect((await store.bars('BRK/B')).map((b) => b.closeText)).toEqual(['360.5', '361']);
      expect(await store.symbols()).toEqual(['BRK/B', 'SPY']);
    });

    it('gives the trading calendar: the dates on which any symbol has a bar', async () => {
      const store = await makeStore(files);
      expect(await store.calendar()).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
      expect(await store.calendar('2024-01-03')).toEqual(['2024-01-02', '2024-01-03']);
    });

    it('gives the same bars to concurrent readers', async () => {
      const store = await makeStore(files);
      const [a, b] = await Promise.all([store.bars('SPY'), store.bars('SPY')]);
      expect(a).toEqual(b);
    });

    it.each([
      ['a wrong header', 'date,close\n2024-01-02,1', 1, 'expected the header'],
      ['a bad date', csv('2024-01-02,1,1,1,1,1', '2024-02-30,1,1,1,1,1'), 3, '"2024-02-30" is not a date'],
      [
        'a duplicate date',
        csv('2024-01-02,1,1,1,1,1', '2024-01-02,1,1,1,1,1'),
        3,
        'duplicate bar for 2024-01-02',
      ],
      ['descending dates', csv('2024-01-03,1,1,1,1,1', '2024-01-02,1,1,1,1,1'), 3, 'dates must ascend'],
      ['a missing field', csv('2024-01-02,1,1,1,1'), 2, 'expected 6 fields, got 5'],
      ['a non-numeric close', csv('2024-01-02,1,1,1,abc,1'), 2, 'close "abc" is not a non-negative decimal'],
      ['a zero close', csv('2024-01-02,1,1,1,0,1'), 2, 'close "0" is not positive'],
      ['a NaN close', csv('2024-01-02,1,1,1,1,1', '2024-01-03,1,1,1,NaN,1'), 3, 'close "NaN"'],
      ['a negative open', csv('2024-01-02,-1,1,1,1,1'), 2, 'open "-1" is not a non-negative decimal'],
      ['an exponent', csv('2024-01-02,1,1,1,1e3,1'), 2, 'close "1e3"'],
      ['a blank line between bars', csv('2024-01-02,1,1,1,1,1', '', '2024-01-03,1,1,1,1,1'), 3, 'blank line'],
    ])('rejects a file with %s, naming the file and the line', async (_what, content, line, problem) => {
      const store = await makeStore({ 'BAD.csv': content });
      const error = await store.bars('BAD').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BarFileError);
      expect(error).toMatchObject({ line });
      expect((error as Error).message).toMatch(
        new RegExp(`BAD\\.csv:${line}: .*${problem.replace(/[()"]/g, '.')}`),
      );
    });

    it('leaves a malformed file out of the calendar: only readers of that symbol fail', async () => {
      const store = await makeStore({
        ...files,
        'BAD.csv': csv('2024-01-02,1,1,1,x,1', '2024-01-09,1,1,1,1,1'),
      });
      expect(await store.calendar()).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
      expect((await store.bars('SPY')).length).toBeGreaterThan(0);
      await expect(store.bars('BAD')).rejects.toMatchObject({ code: 'BAR_FILE', line: 2 });
    });
  });
}
