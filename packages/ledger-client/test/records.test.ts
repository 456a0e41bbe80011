import { randomBytes } from 'node:crypto';
import { Money, Quantity, RunId, StrategyId, Symbol, TradingDate, Weight } from '@books/core';
import {
  CorruptItemError,
  decodeCash,
  decodeIntent,
  decodeLegacyTrade,
  decodeLot,
  decodeMigrationRecord,
  decodeOpenMigration,
  decodeRecon,
  decodeRunMeta,
  decodeRunStrategy,
  decodeStrategyTrade,
  decodeTraceItem,
  decodeTransfer,
  encodeCash,
  encodeIntent,
  encodeLegacyTrade,
  encodeLot,
  encodeMigrationRecord,
  encodeOpenMigration,
  encodeRecon,
  encodeRunMeta,
  encodeRunStrategy,
  encodeStrategyTrade,
  encodeTraceItem,
  encodeTransfer,
  type LegacyTrade,
  MAX_TRACE_CHARS,
  type MigrationRecord,
} from '../src';
import { aLot, anIntent, aRecon, aRunMeta, aRunStrategy, aTrade, aTransfer, SID } from './support/builders';

// Value objects compare by their canonical text.
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('record codecs', () => {
  it('round-trips a per-strategy trade, decimals as strings and keys as DESIGN.md §4', () => {
    const item = encodeStrategyTrade(aTrade());
    expect(item.PK).toEqual({ S: 'STRATEGY#momentum#TRADE#order-1' });
    expect(item.GSI1SK).toEqual({ S: 'TRADE#2026-11-24T20:30:01.250Z#order-1' });
    expect(item.fill_price).toEqual({ S: '601.23' });
    expect(plain(decodeStrategyTrade(item))).toEqual(plain(aTrade()));
  });

  it('round-trips a legacy trade with its attribution weights', () => {
    const { strategyId: _, strategyName: __, strategyCapital: ___, ...fill } = aTrade();
    const legacy: LegacyTrade = {
      ...fill,
      strategyNames: ['Mean reversion', 'Momentum'],
      strategyWeights: [
        { strategyId: StrategyId('mean_reversion'), weight: Weight.parse('0.4') },
        { strategyId: SID, weight: Weight.parse('0.6') },
      ],
    };
    const item = encodeLegacyTrade(legacy);
    expect(item.PK).toEqual({ S: 'TRADE#order-1' });
    expect(item.strategy_weights).toEqual({ M: { mean_reversion: { S: '0.4' }, momentum: { S: '0.6' } } });
    expect(plain(decodeLegacyTrade(item))).toEqual(plain(legacy));
  });

  it('round-trips lots, cash, transfers, runs, intents and reconciliations', () => {
    const cash = {
      strategyId: SID,
      cash: Money.parse('100.5'),
      realizedPnl: Money.parse('-3.25'),
      version: 4,
      updatedAt: '2026-11-24T20:30:00.000Z',
    };
    expect(plain(decodeLot(encodeLot(aLot())))).toEqual(plain(aLot()));
    expect(plain(decodeCash(encodeCash(cash)))).toEqual(plain(cash));
    expect(encodeCash(cash).version).toEqual({ N: '4' });
    expect(plain(decodeTransfer(encodeTransfer(aTransfer({ runId: RunId('r-1') }))))).toEqual(
      plain(aTransfer({ runId: RunId('r-1') })),
    );
    expect(plain(decodeRunMeta(encodeRunMeta(aRunMeta({ planJson: '{"a":1}' }))))).toEqual(
      plain(aRunMeta({ planJson: '{"a":1}' })),
    );
    const closing = aRunMeta({ sessionCloseAt: '2026-11-24T21:00:00.000Z' });
    expect(encodeRunMeta(closing).session_close_at).toEqual({ S: '2026-11-24T21:00:00.000Z' });
    expect(plain(decodeRunMeta(encodeRunMeta(closing)))).toEqual(plain(closing));
    const strategy = aRunStrategy({
      pendingSells: 2,
      heldBuys: [anIntent().clientOrderId],
      skipReason: 'no data',
    });
    expect(plain(decodeRunStrategy(encodeRunStrategy(strategy)))).toEqual(plain(strategy));
    const intent = anIntent({ notional: Money.parse('10'), brokerOrderId: 'b-1' });
    expect(plain(decodeIntent(encodeIntent(intent)))).toEqual(plain(intent));
    expect(plain(decodeRecon(encodeRecon(aRecon())))).toEqual(plain(aRecon()));
  });

  it('stores timestamps canonically whatever zone they were given in', () => {
    const item = encodeLot(aLot({ openedAt: '2026-11-24T15:30:01.25-05:00' }));
    expect(item.opened_at).toEqual({ S: '2026-11-24T20:30:01.250Z' });
  });

  it('rejects an item whose decimal was stored as a number-like but invalid string', () => {
    const item = { ...encodeLot(aLot()), open_qty: { S: '1e5' } };
    expect(() => decodeLot(item)).toThrow(CorruptItemError);
    expect(() => decodeLot(item)).toThrow(/LOT#SPY.*open_qty/);
  });

  it('rejects an item with an invalid id', () => {
    const item = { ...encodeLot(aLot()), symbol: { S: 'spy' } };
    expect(() => decodeLot(item)).toThrow(CorruptItemError);
  });

  it.each(['planned', 'TRADED', 'RUNNING'])(
    'refuses to decode a run whose status %j is not of its lifecycle',
    (status) => {
      const item = { ...encodeRunMeta(aRunMeta()), status: { S: status } };
      expect(() => decodeRunMeta(item)).toThrow(CorruptItemError);
    },
  );

  it('keeps a symbol with a share class intact', () => {
    expect(decodeLot(encodeLot(aLot({ symbol: Symbol('BRK/B') }))).symbol).toBe('BRK/B');
  });
});

describe('the migration records', () => {
  const record: MigrationRecord = {
    strategyId: StrategyId('momentum'),
    id: 'mig-momentum-per-strategy-20261124230000000',
    direction: 'to-per-strategy',
    at: '2026-11-24T23:00:00.000Z',
    status: 'OPEN',
    fromRun: 'prod-2026-11-24',
    plan: {
      positions: [
        { symbol: Symbol('BRK.B'), qty: Quantity.parse('12.345678901'), cost: Money.parse('5000.1') },
      ],
      cash: Money.parse('1234.56'),
      lotsPerChunk: 40,
      chunks: 3,
    },
    chunksDone: 2,
    moved: new Map([[Symbol('BRK.B'), Quantity.parse('10')]]),
    by: 'arn:aws:sts::123456789012:assumed-role/ops/alice',
    createdAt: '2026-11-25T01:00:00.000Z',
    updatedAt: '2026-11-25T01:05:00.000Z',
  };

  it('round-trips a migration record with its plan and progress, decimals as strings', () => {
    const decoded = decodeMigrationRecord(encodeMigrationRecord(record));
    expect({ ...decoded, plan: JSON.stringify(decoded.plan), moved: [...decoded.moved] }).toEqual({
      ...record,
      plan: JSON.stringify(record.plan),
      moved: [['BRK.B', Quantity.parse('10')]],
    });
  });

  it('rejects a record whose status or progress is not one it can be', () => {
    const item = encodeMigrationRecord(record);
    expect(() => decodeMigrationRecord({ ...item, status: { S: 'HALF' } })).toThrow(CorruptItemError);
    expect(() => decodeMigrationRecord({ ...item, plan_json: { S: '{"cash":"x"}' } })).toThrow(
      CorruptItemError,
    );
  });

  it('round-trips the pointer to an open migration', () => {
    const open = { strategyId: record.strategyId, id: record.id, direction: record.direction, at: record.at };
    expect(decodeOpenMigration(encodeOpenMigration(open))).toEqual(open);
    expect(encodeOpenMigration(open)).toMatchObject({
      PK: { S: 'STRATEGY#momentum#FLOW' },
      SK: { S: 'OPEN_MIGRATION' },
    });
  });
});

describe('the decision trace item', () => {
  const runId = RunId('local-2024-05-01');
  const sid = StrategyId('momentum');
  const asOf = TradingDate('2024-05-01');
  const trace = { file: 'm.clj', date: '2024-05-01', nodes: [{ kind: 'if', at: '2:3', children: [] }] };

  it('round-trips a trace as compressed JSON under RUN#{runId} / TRACE#{sid}', () => {
    const item = encodeTraceItem({ runId, strategyId: sid, asOf, trace, fallback: { small: true } });
    expect(item.PK).toEqual({ S: 'RUN#local-2024-05-01' });
    expect(item.SK).toEqual({ S: 'TRACE#momentum' });
    expect(item.entity).toEqual({ S: 'RUN_TRACE' });
    expect(decodeTraceItem(item, runId, sid)).toEqual({
      runId,
      strategyId: sid,
      asOf,
      truncated: false,
      trace,
    });
  });

  it('stores the fallback, marked truncated, when the compressed trace would not fit an item', () => {
    // Incompressible text: random bytes, more than MAX_TRACE_CHARS once compressed and in base64.
    const noise = randomBytes(MAX_TRACE_CHARS).toString('base64');
    const item = encodeTraceItem({
      runId,
      strategyId: sid,
      asOf,
      trace: { ...trace, noise },
      fallback: { ...trace, nodes: [] },
    });
    expect((item.trace_gz?.S ?? '').length).toBeLessThan(1000);
    expect(decodeTraceItem(item, runId, sid)).toMatchObject({
      truncated: true,
      trace: { ...trace, nodes: [] },
    });
  });

  it('refuses an item whose trace is not gzip JSON', () => {
    const item = encodeTraceItem({ runId, strategyId: sid, asOf, trace, fallback: {} });
    expect(() => decodeTraceItem({ ...item, trace_gz: { S: 'bm90IGd6aXA=' } }, runId, sid)).toThrow(
      CorruptItemError,
    );
  });
});
