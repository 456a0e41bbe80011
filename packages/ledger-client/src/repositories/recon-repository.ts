import type { TradingDate } from '@books/core';
import { keys, SK_PREFIX } from '../keys';
import type { LedgerTable } from '../ledger-table';
import { decodeRecon, encodeRecon, type ReconResult } from '../records/recon';

/** Reconciliation results (`RECON#{date}` / `RESULT#{ts}`). */
export class ReconRepository {
  constructor(private readonly table: LedgerTable) {}

  /** Records a result unless one exists at the same instant; returns whether it wrote. */
  put(result: ReconResult): Promise<boolean> {
    return this.table.putIfAbsent(encodeRecon(result));
  }

  /** Every result of a date, oldest first. */
  async list(date: TradingDate): Promise<ReconResult[]> {
    const items = await this.table.queryAll({
      partition: keys.recon(date),
      sort: { beginsWith: SK_PREFIX.reconResult },
      consistent: true,
    });
    return items.map(decodeRecon);
  }

  async latest(date: TradingDate): Promise<ReconResult | undefined> {
    return (await this.list(date)).at(-1);
  }
}
