import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrategyId, TradingDate } from '@books/core';
import type { Services } from '@books/runtime';
import { sampleBarsDir } from '@books/testkit';
import { replayCommand } from '../src/commands/replay';
import { runReport } from '../src/commands/report';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), errIsTTY: false },
    out,
    err,
  };
}

/** Services that fail on any use: the commands below must refuse before touching the stack. */
const untouchable = new Proxy({} as Services, {
  get(_, key) {
    throw new Error(`services.${String(key)} used`);
  },
});

describe('the report options of the commands', () => {
  const home = mkdtempSync(join(tmpdir(), 'books-report-cli-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('books replay --report into a directory that does not exist is refused (exit 2) before anything runs', async () => {
    const c = capture();
    const report = join(home, 'no-such-dir', 'r.html');
    const code = await replayCommand(
      {
        from: '2024-09-16',
        to: '2024-09-17',
        data: sampleBarsDir(),
        stage: 'replay',
        cash: '100000',
        json: false,
        report,
        home,
      },
      c.io,
      { onInterrupt: () => () => {} },
    );
    expect(code).toBe(2);
    expect(c.err.join('')).toBe(`books replay: no directory for the report ${report}\n`);
  });

  it('books report refuses --from after --to (exit 2) without reading the ledger', async () => {
    const c = capture();
    const code = await runReport(
      {
        services: untouchable,
        stage: 'local',
        strategyIds: [StrategyId('momentum')],
        calendar: [TradingDate('2024-09-16')],
        now: new Date('2026-01-01T00:00:00Z'),
      },
      { out: join(home, 'r.html'), from: '2024-09-18', to: '2024-09-16' },
      c.io,
    );
    expect(code).toBe(2);
    expect(c.err.join('')).toBe('books report: --from 2024-09-18 is after --to 2024-09-16\n');
  });
});
