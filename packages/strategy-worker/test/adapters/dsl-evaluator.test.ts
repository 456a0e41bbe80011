import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradingDate, Weight } from '@books/core';
import { barPortFrom } from '@books/dsl';
import { CsvBarStore, generateSampleBars, sampleTradingDays } from '@books/market-data';
import { DslEvaluator } from '../../src/adapters/dsl-evaluator';
import { strategySourceReader } from '../../src/function';

const strategiesDir = join(__dirname, '../../../../strategies');
const dataDir = mkdtempSync(join(tmpdir(), 'books-bars-'));
for (const [symbol, csv] of generateSampleBars(sampleTradingDays('2024-01-02', '2025-06-30'))) {
  writeFileSync(join(dataDir, `${symbol}.csv`), csv);
}
const extra: Record<string, string> = {
  'broken.clj': '(defsymphony "x" {} (weight-equal [(asset "SPY") (frobnicate 3)]))',
  // Composer's score tree: a rebalance corridor of 7% is the runner's threshold, as in a .clj.
  'score.edn':
    '{:step :root :name "s" :rebalance :none :rebalance-corridor-width 0.07 ' +
    ':children [{:step :wt-cash-equal :children [{:step :asset :ticker "SPY"}]}]}',
};
for (const [name, config] of [
  ['weekly.clj', '{:rebalance-frequency :weekly :rebalance-threshold 0.05}'],
  ['threshold.clj', '{:rebalance-frequency :none :rebalance-threshold 0.05}'],
  ['hourly.clj', '{:rebalance-frequency :hourly}'],
] as const)
  extra[name] = `(defsymphony "x" ${config} (weight-equal [(asset "SPY") (asset "TLT")]))`;
const read = async (file: string) => extra[file] ?? readFileSync(join(strategiesDir, file), 'utf8');

describe('the DSL engine behind the worker', () => {
  const evaluator = new DslEvaluator(read, barPortFrom(new CsvBarStore(dataDir)));

  it.each(['momentum.clj', 'mean_reversion.clj', 'breakout.clj'])(
    'evaluates the example %s to weights summing to 1',
    async (file) => {
      const result = await evaluator.evaluate(file, TradingDate('2025-03-03'));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(Weight.sum(result.weights.values()).toString()).toBe('1');
      expect(result.rebalanceThreshold?.toString()).toBe('0.05');
    },
  );

  it('evaluates later dates on a widened session, same result as a fresh evaluator', async () => {
    const later = await evaluator.evaluate('momentum.clj', TradingDate('2025-06-02'));
    const fresh = await new DslEvaluator(read, barPortFrom(new CsvBarStore(dataDir))).evaluate(
      'momentum.clj',
      TradingDate('2025-06-02'),
    );
    expect(later).toEqual(fresh);
  });

  it('reports a broken strategy with its code and position instead of throwing', async () => {
    const result = await evaluator.evaluate('broken.clj', TradingDate('2025-03-03'));
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_OPERATOR' });
    expect(!result.ok && result.message).toMatch(/broken\.clj:1:\d+/);
  });

  it('reports a strategy file that cannot be read as a failure naming it, not a crash', async () => {
    const fromDisk = new DslEvaluator(strategySourceReader(dataDir), barPortFrom(new CsvBarStore(dataDir)));
    const missing = await fromDisk.evaluate('gone.clj', TradingDate('2025-03-03'));
    expect(missing).toMatchObject({ ok: false, code: 'SOURCE' });
    expect(!missing.ok && missing.message).toMatch(/^gone\.clj: cannot be read \(.*ENOENT/);
    // A sparse 40 MB file: refused from its size, never read into memory.
    writeFileSync(join(dataDir, 'huge.clj'), '');
    truncateSync(join(dataDir, 'huge.clj'), 40 * 1024 * 1024);
    const huge = await fromDisk.evaluate('huge.clj', TradingDate('2025-03-03'));
    expect(!huge.ok && huge.message).toMatch(
      /^huge\.clj: cannot be read \(.*41943040 bytes, larger than a strategy file may be/,
    );
  });

  it("takes a score tree's rebalance corridor as its threshold, as for the equivalent .clj", async () => {
    const result = await evaluator.evaluate('score.edn', TradingDate('2025-03-03'));
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.rebalanceThreshold?.toString()).toBe('0.07');
  });

  it('gives no schedule to a symphony without :rebalance-frequency: it is planned every day', async () => {
    const result = await evaluator.evaluate('momentum.clj', TradingDate('2025-03-03'));
    expect(result.ok && result.schedule).toBeUndefined();
  });

  it('reads :rebalance-frequency as a calendar schedule, a threshold beside it staying the band', async () => {
    const result = await evaluator.evaluate('weekly.clj', TradingDate('2025-03-03'));
    expect(result).toMatchObject({ ok: true, schedule: { kind: 'calendar', frequency: 'weekly' } });
    expect(result.ok && result.rebalanceThreshold?.toString()).toBe('0.05');
  });

  it('reads :rebalance-frequency :none with a threshold as threshold trading, with no band', async () => {
    const result = await evaluator.evaluate('threshold.clj', TradingDate('2025-03-03'));
    expect(result.ok && result.schedule?.kind).toBe('threshold');
    expect(result.ok && result.schedule?.kind === 'threshold' && result.schedule.threshold.toString()).toBe(
      '0.05',
    );
    expect(result.ok && result.rebalanceThreshold).toBeUndefined();
  });

  it('fails a symphony whose :rebalance-frequency is not a frequency', async () => {
    const result = await evaluator.evaluate('hourly.clj', TradingDate('2025-03-03'));
    expect(result).toMatchObject({ ok: false, code: 'ARGUMENT' });
    expect(!result.ok && result.message).toMatch(
      /hourly\.clj: :rebalance-frequency must be one of :none, :daily/,
    );
  });

  it('lists every symbol a strategy can hold', async () => {
    expect(await evaluator.symbolsOf('momentum.clj')).toEqual(['BIL', 'GLD', 'IEF', 'QQQ', 'SPY', 'TLT']);
  });

  it('fails only the strategy whose bars are malformed, as BAD_DATA naming the file and line', async () => {
    const badDir = mkdtempSync(join(tmpdir(), 'books-bad-bars-'));
    for (const [symbol, csv] of generateSampleBars(sampleTradingDays('2024-01-02', '2025-06-30'))) {
      const lines = csv.split('\n');
      if (symbol === 'TLT') lines[10] = (lines[10] as string).replace(/,[^,]+,([^,]+)$/, ',NaN,$1');
      writeFileSync(join(badDir, `${symbol}.csv`), lines.join('\n'));
    }
    const sources: Record<string, string> = {
      'spy.clj': '(defsymphony "spy" {} (weight-equal [(asset "SPY")]))',
      'tlt.clj': '(defsymphony "tlt" {} (weight-equal [(asset "TLT")]))',
    };
    const bad = new DslEvaluator(async (file) => sources[file] ?? '', barPortFrom(new CsvBarStore(badDir)));
    const spy = await bad.evaluate('spy.clj', TradingDate('2025-03-03'));
    expect(spy).toMatchObject({ ok: true });
    const tlt = await bad.evaluate('tlt.clj', TradingDate('2025-03-03'));
    expect(tlt).toMatchObject({ ok: false, code: 'BAD_DATA' });
    expect(!tlt.ok && tlt.message).toMatch(
      /^tlt\.clj: .*TLT\.csv:11: close "NaN" is not a non-negative decimal/,
    );
  });
});
