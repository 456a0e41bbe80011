import { join } from 'node:path';
import type { BooksConfig, Flow, StrategyId } from '@books/core';
import { LegacyRepository, MigrationRepository } from '@books/ledger-client';
import { readBooksConfigFile } from './config-file';
import type { Services } from './services';

export interface FlowRow {
  readonly strategyId: StrategyId;
  readonly allocation: string;
  readonly configFlow: Flow;
  /** The run-time flag, when one is set. */
  readonly flag?: Flow;
  readonly effective: Flow;
  /** Where the flow came from: the config file or the flag store. */
  readonly source: string;
  /** Where the holdings are, per the last migration (absent: never migrated). */
  readonly holdings?: 'per-strategy' | 'legacy';
  readonly migrationId?: string;
  /** A migration still open (a crash stopped it): its holdings are split between the two books. */
  readonly openMigration?: {
    readonly id: string;
    readonly to: 'per-strategy' | 'legacy';
    readonly chunksDone: number;
    readonly chunks: number;
  };
}

/** Every configured strategy's flow and where it came from (config file or flag), with its holdings. */
export async function flowStatus(services: Services, config: BooksConfig): Promise<FlowRow[]> {
  const flags = await services.flows.read();
  const legacy = new LegacyRepository(services.table);
  const migrations = new MigrationRepository(services.table);
  const rows: FlowRow[] = [];
  for (const s of config.strategies) {
    const flag = flags.get(s.id);
    const marker = await legacy.flowMarker(s.id);
    const pointer = await migrations.open(s.id);
    const open = pointer && (await migrations.record(pointer));
    rows.push({
      strategyId: s.id,
      allocation: s.allocation.toString(),
      configFlow: s.flow,
      ...(flag ? { flag } : {}),
      effective: flag ?? s.flow,
      source: flag ? services.flows.source : 'config',
      ...(marker ? { holdings: marker.holdings, migrationId: marker.migrationId } : {}),
      ...(open
        ? {
            openMigration: {
              id: open.id,
              to: open.direction === 'to-per-strategy' ? 'per-strategy' : 'legacy',
              chunksDone: open.chunksDone,
              chunks: open.plan.chunks,
            },
          }
        : {}),
    });
  }
  return rows;
}

/** The configuration the stage's functions run with (their strategies directory and config file). */
export function configOf(services: Services): BooksConfig {
  return readBooksConfigFile(join(services.env.BOOKS_STRATEGIES_DIR, services.env.BOOKS_STRATEGIES_CONFIG));
}

/** The configured strategies whose flow (flags applied) is legacy or shadow: the merged flow's. */
export async function mergedStrategies(services: Services, config: BooksConfig): Promise<StrategyId[]> {
  const flags = await services.flows.read();
  return config.strategies.filter((s) => (flags.get(s.id) ?? s.flow) !== 'per-strategy').map((s) => s.id);
}
