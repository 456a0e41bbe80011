import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradingDate } from '@books/core';
import { type DailyCycleEvent, runCursorFile, runDailyCycle, writeRunCursor } from '../../src';

describe('runDailyCycle before it starts anything', () => {
  const home = mkdtempSync(join(tmpdir(), 'books-cycle-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('rejects a day after the sample data, having generated the sample bars once', async () => {
    const events: DailyCycleEvent[] = [];
    const first = await runDailyCycle({ home, date: '2026-12-05', stage: 'local', dryRun: true }, (e) =>
      events.push(e),
    );
    expect(first).toEqual({
      kind: 'rejected',
      rejection: {
        kind: 'beyond-data',
        date: '2026-12-05',
        firstSimulated: '2024-01-02',
        last: '2025-12-31',
      },
    });
    expect(events).toEqual([
      {
        kind: 'sample-bars-generated',
        dir: join(home, 'sample-bars'),
        first: '2023-01-03',
        last: '2025-12-31',
      },
    ]);
    await runDailyCycle({ home, date: '2024-01-06', stage: 'local', dryRun: true }, (e) => events.push(e));
    expect(events).toHaveLength(1);
    expect(existsSync(join(home, 'logs'))).toBe(false);
  });

  it('rejects a weekend day and an unparseable date without starting a stack', async () => {
    const weekend = await runDailyCycle({ home, date: '2024-01-06', stage: 'local', dryRun: true }, () => {});
    expect(weekend).toEqual({
      kind: 'rejected',
      rejection: { kind: 'not-trading-day', date: '2024-01-06', first: '2023-01-03', last: '2025-12-31' },
    });
    const bad = await runDailyCycle({ home, date: '2024-13-01', stage: 'local', dryRun: true }, () => {});
    expect(bad).toMatchObject({ kind: 'rejected', rejection: { kind: 'bad-date' } });
  });

  it('without a date, takes the day after the run cursor: none after the last sample day', async () => {
    writeRunCursor(runCursorFile(home, 'cursor'), TradingDate('2025-12-31'));
    const next = await runDailyCycle({ home, stage: 'cursor', dryRun: true }, () => {});
    expect(next).toEqual({
      kind: 'rejected',
      rejection: { kind: 'bad-date', message: 'the sample data ends at 2025-12-31; pick a day with --date' },
    });
  });
});
