import type { StrategyId } from '@books/core';
import type { MigrationRepository } from '@books/ledger-client';
import type { MigrationGate, OpenMigrationInfo } from '../ports';

/** The open migrations, from each strategy's OPEN_MIGRATION pointer (one strongly consistent read each). */
export class LedgerMigrationGate implements MigrationGate {
  constructor(private readonly migrations: MigrationRepository) {}

  async open(strategies: readonly StrategyId[]): Promise<OpenMigrationInfo[]> {
    const found: OpenMigrationInfo[] = [];
    for (const sid of strategies) {
      const open = await this.migrations.open(sid);
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
