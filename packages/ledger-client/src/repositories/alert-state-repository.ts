import { ConditionFailedError } from '../errors';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { ABSENT, type LedgerTable } from '../ledger-table';
import { type AlertState, decodeAlertState, encodeAlertState } from '../records/alert-state';

/** Alert subjects' states (`records/alert-state.ts`). */
export class AlertStateRepository {
  constructor(private readonly table: LedgerTable) {}

  async get(subject: string): Promise<AlertState | undefined> {
    const item = await this.table.getItem(keys.alertState(subject), { consistent: true });
    return item && decodeAlertState(item);
  }

  /**
   * Writes the state at version `read + 1` (1 when none was read), only if the stored one is still
   * the one read: false when another writer moved it first.
   */
  async replace(read: AlertState | undefined, next: Omit<AlertState, 'version'>): Promise<boolean> {
    const item = encodeAlertState({
      ...next,
      since: canonicalInstant(next.since),
      version: (read?.version ?? 0) + 1,
    });
    try {
      await this.table.put(
        item,
        read
          ? {
              expression: '#v = :v',
              names: { '#v': 'version' },
              values: { ':v': { N: String(read.version) } },
            }
          : ABSENT,
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionFailedError) return false;
      throw e;
    }
  }
}
