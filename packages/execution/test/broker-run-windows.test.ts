import type { Broker, CalendarDay } from '@books/broker';
import { RunId, TradingDate } from '@books/core';
import type { RunRepository } from '@books/ledger-client';
import { BrokerRunWindows } from '../src/adapters/broker-run-windows';

const runId = RunId('local:2024-03-15');
const date = TradingDate('2024-03-15');
const closeAt = new Date('2024-03-15T20:00:00Z');

/**
 * A run's META (with the session's close recorded when `recorded`) and the broker's calendar,
 * counting the reads; the first `failures` META reads fail.
 */
function sources(failures = 0, recorded = false) {
  const reads = { meta: 0, calendar: 0 };
  const runs: Pick<RunRepository, 'getMeta'> = {
    async getMeta() {
      reads.meta++;
      if (reads.meta <= failures) throw new Error('throttled');
      const at = '2024-03-15T13:00:00.000Z';
      return {
        runId,
        tradingDate: date,
        trigger: 'schedule',
        status: 'DISPATCHED',
        createdAt: at,
        updatedAt: at,
        ...(recorded ? { sessionCloseAt: '2024-03-15T18:00:00.000Z' } : {}),
      };
    },
  };
  const broker: Pick<Broker, 'getCalendar'> = {
    async getCalendar(): Promise<CalendarDay[]> {
      reads.calendar++;
      return [
        {
          date,
          open: '09:30',
          close: '16:00',
          openAt: new Date('2024-03-15T13:30:00Z'),
          closeAt,
          earlyClose: false,
        },
      ];
    },
  };
  return { reads, windows: new BrokerRunWindows(runs, broker) };
}

describe("a run's trading window, from its META and the broker's calendar", () => {
  it('prepared, answers from what prepare read, reading nothing again', async () => {
    const { reads, windows } = sources();
    windows.prepare(runId);
    expect(reads.meta).toBe(1);
    expect(await windows.closedReason(runId, new Date('2024-03-15T15:00:00Z'))).toBeUndefined();
    expect(await windows.closedReason(runId, closeAt)).toContain('closed at 2024-03-15T20:00:00.000Z');
    expect(reads).toEqual({ meta: 1, calendar: 1 });
  });

  it('reads again when what prepare started failed, and never reports that failure', async () => {
    const { reads, windows } = sources(1);
    windows.prepare(runId);
    await new Promise((settled) => setImmediate(settled));
    expect(await windows.closedReason(runId, new Date('2024-03-15T15:00:00Z'))).toBeUndefined();
    expect(reads).toEqual({ meta: 2, calendar: 1 });
  });

  it("answers from the session's close the run recorded when planned, asking the broker nothing", async () => {
    const { reads, windows } = sources(0, true);
    expect(await windows.closedReason(runId, new Date('2024-03-15T17:59:59Z'))).toBeUndefined();
    expect(await windows.closedReason(runId, new Date('2024-03-15T18:00:00Z'))).toContain(
      'closed at 2024-03-15T18:00:00.000Z',
    );
    expect(reads).toEqual({ meta: 1, calendar: 0 });
  });
});
