import type { StrategyId } from '@books/core';
import type { MigrationRepository } from '@books/ledger-client';
import type { MigrationGate, OpenMigrationInfo } from '../ports';

/** The open migrations, from each strategy's OPEN_MIGRATION pointer (one strongly consistent batched read). */
export class LedgerMigrationGate implements MigrationGate {
  constructor(private readonly migrations: MigrationRepository) {}

  async open(strategies: readonly StrategyId[]): Promise<OpenMigrationInfo[]> {
    const found: OpenMigrationInfo[] = [];
    const pointers = await this.migrations.openOf(strategies);
    for (const sid of strategies) {
      const open = pointers.get(sid);
      if (open)
        found.push({
          strategyId: sid,
          migrationId: open.id,
          to: open.direction === 'to-per-strategy' ? 'per-strategy' : 'legacy',
        });
    }
    return found;
  }
}
