import { createLogger, ManualClock, Money } from '@books/core';
import { emptyBook } from '@books/portfolio';
import type { ReconcileAccountPorts } from '@books/reconciliation';
import { reconcileEvent } from '../src/function';

/** An empty account over in-memory ports; the log lines are kept. */
function emptyAccount() {
  const lines: Array<Record<string, unknown>> = [];
  const ports: ReconcileAccountPorts = {
    stage: 'test',
    config: { strategyIds: async () => [] },
    runs: { ofDate: async () => undefined },
    books: {
      read: async (id) => ({ book: emptyBook(id), exists: false, version: undefined }),
      bookIds: async () => [],
    },
    broker: { positions: async () => [], account: async () => ({ cash: Money.ZERO, equity: Money.ZERO }) },
    pool: { balance: async () => Money.ZERO },
    external: { sync: async () => ({ entries: [] }) },
    results: { put: async () => true },
    clock: new ManualClock('2024-09-16T20:15:00.000Z'),
    logger: createLogger(
      { service: 'test' },
      { destination: { write: (s: string) => lines.push(JSON.parse(s)) } },
    ),
  };
  return { ports, lines };
}

describe("the reconciler's event", () => {
  it('reconciles today when the schedule sends {}', async () => {
    const { summary } = await reconcileEvent(emptyAccount().ports)({});
    expect(summary.date).toBe('2024-09-16');
  });

  it("reconciles the run's date after a run, and logs which run and trigger asked", async () => {
    const account = emptyAccount();
    const { summary } = await reconcileEvent(account.ports)({
      date: '2024-09-13',
      runId: 'test-2024-09-13',
      trigger: 'run-complete',
    });
    expect(summary.date).toBe('2024-09-13');
    expect(account.lines.find((l) => l.event === 'reconciled')).toMatchObject({
      date: '2024-09-13',
      trigger: 'run-complete',
      reconciledRunId: 'test-2024-09-13',
    });
  });

  it('refuses an event that is not the reconciler event', async () => {
    await expect(reconcileEvent(emptyAccount().ports)({ date: 20240913 })).rejects.toThrow();
  });
});
