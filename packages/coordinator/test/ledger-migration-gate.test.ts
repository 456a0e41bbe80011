import { Money, StrategyId } from '@books/core';
import { LedgerTable, type MigrationRecord, MigrationRepository } from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerMigrationGate } from '../src/adapters/ledger-migration-gate';

describe('open migrations on the ledger, as the coordinator sees them', () => {
  let test: TestTable;
  let table: LedgerTable;
  let migrations: MigrationRepository;
  beforeAll(async () => {
    test = await createTestTable('migrationgate');
    table = new LedgerTable(test.client, test.tableName);
    migrations = new MigrationRepository(table);
  });
  afterAll(() => test.cleanup());

  const record = (sid: string, direction: MigrationRecord['direction']): MigrationRecord => ({
    strategyId: StrategyId(sid),
    id: `mig-${sid}-1`,
    direction,
    at: '2026-11-24T23:00:00.000Z',
    status: 'OPEN',
    plan: { positions: [], cash: Money.parse('10'), lotsPerChunk: 40, chunks: 1 },
    chunksDone: 0,
    moved: new Map(),
    by: 'ops',
    createdAt: '2026-11-25T01:00:00.000Z',
    updatedAt: '2026-11-25T01:00:00.000Z',
  });

  it('names the open migration of each strategy that has one, and none once it is closed', async () => {
    const gate = new LedgerMigrationGate(migrations);
    const ids = ['alpha', 'beta', 'gamma'].map((s) => StrategyId(s));
    expect(await gate.open(ids)).toEqual([]);
    const beta = record('beta', 'to-legacy');
    await table.transact(migrations.openItems(beta, undefined));
    await table.transact(migrations.openItems(record('gamma', 'to-per-strategy'), undefined));
    expect(await gate.open(ids)).toEqual([
      { strategyId: 'beta', migrationId: 'mig-beta-1', to: 'legacy' },
      { strategyId: 'gamma', migrationId: 'mig-gamma-1', to: 'per-strategy' },
    ]);
    // The last chunk closes it: the pointer goes in the same transaction as DONE and the marker.
    await table.transact(
      migrations.advanceItems(beta, {
        moved: new Map(),
        at: '2026-11-25T01:01:00.000Z',
        close: {
          marker: { strategyId: beta.strategyId, holdings: 'legacy', migrationId: beta.id, at: beta.at },
          previous: undefined,
        },
      }),
    );
    expect((await gate.open(ids)).map((m) => m.strategyId)).toEqual(['gamma']);
    expect(await migrations.record(beta)).toMatchObject({ status: 'DONE', chunksDone: 1 });
  });

  it('lets one migration open per strategy: a second one is refused by the pointer', async () => {
    await table.transact(migrations.openItems(record('delta', 'to-legacy'), undefined));
    await expect(
      table.transact(
        migrations.openItems({ ...record('delta', 'to-per-strategy'), id: 'mig-delta-2' }, undefined),
      ),
    ).rejects.toThrow(/open migration of delta/);
  });
});
