import type { Broker } from '@books/broker';
import type { RunId } from '@books/core';
import type { RunRepository } from '@books/ledger-client';
import type { RunWindows } from '../ports';

/**
 * A run's trades may be placed only during its own trading day's session, as the broker's
 * calendar gives it (recorded on the run's META when it was planned; asked of the broker for a run
 * planned before that): a message still queued after that close (a crash, a message left in the
 * queue until the next day) would otherwise trade a stale plan at another day's price.
 */
export class BrokerRunWindows implements RunWindows {
  private readonly closes = new Map<RunId, Promise<{ date: string; closeAt?: Date }>>();

  constructor(
    private readonly runs: Pick<RunRepository, 'getMeta'>,
    private readonly broker: Pick<Broker, 'getCalendar'>,
  ) {}

  prepare(runId: RunId): void {
    this.closeFor(runId).catch(() => undefined);
  }

  async closedReason(runId: RunId, now: Date): Promise<string | undefined> {
    const { date, closeAt } = await this.closeFor(runId);
    if (!closeAt) return `the run's trading date ${date} has no trading session`;
    if (now.getTime() >= closeAt.getTime())
      return `the run's trading session (${date}) closed at ${closeAt.toISOString()} before the order was placed`;
    return undefined;
  }

  /** The run's close, read once per run (a failed read is forgotten, so the next call reads again). */
  private closeFor(runId: RunId): Promise<{ date: string; closeAt?: Date }> {
    let close = this.closes.get(runId);
    if (!close) {
      close = this.closeOf(runId);
      this.closes.set(runId, close);
      close.catch(() => this.closes.delete(runId));
    }
    return close;
  }

  private async closeOf(runId: RunId): Promise<{ date: string; closeAt?: Date }> {
    const meta = await this.runs.getMeta(runId);
    if (!meta) throw new Error(`run ${runId} has no META item: its trading date is unknown`);
    // The session's close as the coordinator's calendar gave it when planning; a run planned before
    // that was recorded asks the broker's calendar.
    if (meta.sessionCloseAt) return { date: meta.tradingDate, closeAt: new Date(meta.sessionCloseAt) };
    const [day] = await this.broker.getCalendar(meta.tradingDate, meta.tradingDate);
    return day && day.date === meta.tradingDate
      ? { date: meta.tradingDate, closeAt: day.closeAt }
      : { date: meta.tradingDate };
  }
}
