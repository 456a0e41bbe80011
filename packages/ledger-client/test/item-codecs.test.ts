import { Money, Quantity, RunId, StrategyId, Symbol } from '@books/core';
import {
  CorruptItemError,
  decodeRelease,
  encodeAdjustmentAudit,
  encodeMigrationRecord,
  encodePoisonMessage,
  encodeReconcileRequested,
  encodeRelease,
  encodeRunSkip,
  encodeShadowReport,
  encodeSymbolLock,
  fromItem,
  type Item,
  shadowReportJson,
} from '../src';

const run = RunId('dev-2026-11-24');
const sid = StrategyId('momentum');

describe('the run partition’s other items', () => {
  it('round-trips a BUY release: the trades sent (decimals as text) and the suppressed ones', () => {
    const item = encodeRelease(run, sid, {
      released: [{ symbol: Symbol('QQQ'), side: 'buy', qty: Quantity.parse('2.5'), leg: 0 }],
      suppressed: [
        { symbol: Symbol('IWM'), side: 'buy', qty: Quantity.parse('1'), reason: 'insufficient-cash' },
      ],
    });
    expect(fromItem(item)).toMatchObject({
      PK: 'RUN#dev-2026-11-24',
      SK: 'RELEASE#momentum',
      entity: 'RUN_RELEASE',
    });
    expect(decodeRelease(item)).toEqual({
      released: [{ symbol: 'QQQ', side: 'buy', qty: '2.5', leg: 0 }],
      suppressed: [{ symbol: 'IWM', side: 'buy', qty: '1', reason: 'insufficient-cash' }],
    });
  });

  it.each([
    ['no released_json', (i: Item): Item => ({ ...i, released_json: { NULL: true } })],
    [
      'a released trade with a lower-case symbol',
      (i: Item): Item => ({
        ...i,
        released_json: { S: '[{"symbol":"qqq","side":"buy","qty":"1","leg":0}]' },
      }),
    ],
    ['text that is not JSON', (i: Item): Item => ({ ...i, suppressed_json: { S: '[' } })],
  ])('refuses a release with %s', (_, corrupt) => {
    const item = encodeRelease(run, sid, { released: [], suppressed: [] });
    expect(() => decodeRelease(corrupt(item))).toThrow(CorruptItemError);
  });

  it('writes the skip, the reconciliation marker and a shadow report under the run', () => {
    expect(fromItem(encodeRunSkip(run, '2026-11-24T20:30:00Z', 'holiday'))).toEqual({
      PK: 'RUN#dev-2026-11-24',
      SK: 'SKIP#2026-11-24T20:30:00.000Z',
      entity: 'RUN_SKIP',
      reason: 'holiday',
      at: '2026-11-24T20:30:00Z',
    });
    expect(fromItem(encodeReconcileRequested(run, '2026-11-24T21:00:00.000Z'))).toEqual({
      PK: 'RUN#dev-2026-11-24',
      SK: 'RECONCILE_REQUESTED',
      entity: 'RUN_RECONCILE_REQUESTED',
      requested_at: '2026-11-24T21:00:00.000Z',
    });
    const shadow = encodeShadowReport(run, sid, { runId: run, symbols: [] });
    expect(fromItem(shadow)).toMatchObject({
      PK: 'RUN#dev-2026-11-24',
      SK: 'SHADOW#momentum',
      entity: 'RUN_SHADOW',
    });
    expect(shadowReportJson(shadow)).toEqual({ runId: run, symbols: [] });
    expect(() => shadowReportJson({ ...shadow, report_json: { S: '{' } })).toThrow(CorruptItemError);
  });
});

describe('items outside runs and books', () => {
  it('keeps a poison message with its problems', () => {
    const item = encodePoisonMessage({
      messageId: 'm-1',
      body: '{}',
      problems: ['run_id: required'],
      receivedAt: '2026-11-24T20:30:00.000Z',
    });
    expect(fromItem(item)).toEqual({
      PK: 'POISON',
      SK: 'MSG#m-1',
      entity: 'POISON_MESSAGE',
      message_id: 'm-1',
      body: '{}',
      problems: ['run_id: required'],
      received_at: '2026-11-24T20:30:00.000Z',
    });
  });

  it('leases a symbol to an owner, to be deleted by TTL a day after the lease ends', () => {
    const until = Date.parse('2026-11-24T20:40:00.000Z');
    const item = encodeSymbolLock(Symbol('SPY'), 'sb-owner', until);
    expect(item).toEqual({
      PK: { S: 'LOCK#SYMBOL#SPY' },
      SK: { S: 'LOCK' },
      owner: { S: 'sb-owner' },
      lease_until: { N: String(until) },
      expiresAtEpochSeconds: { N: String(until / 1000 + 86_400) },
    });
  });

  it('audits a projection repair and a migration in their own partitions', () => {
    expect(
      fromItem(
        encodeAdjustmentAudit({
          strategyId: sid,
          id: 'restore-1',
          kind: 'restore-from-ledger',
          note: 'lot deleted by hand',
          changes: ['lot restored'],
          at: '2026-11-24T20:30:00.000Z',
        }),
      ),
    ).toMatchObject({
      PK: 'STRATEGY#momentum#ADJUSTMENT',
      SK: 'ADJ#2026-11-24T20:30:00.000Z#restore-1',
      entity: 'ADJUSTMENT',
      reason: 'adjustment',
      changes: ['lot restored'],
    });
    expect(
      fromItem(
        encodeMigrationRecord({
          strategyId: sid,
          id: 'mig-1',
          direction: 'to-legacy',
          at: '2026-11-24T20:30:00.000Z',
          status: 'OPEN',
          plan: {
            positions: [{ symbol: Symbol('SPY'), qty: Quantity.parse('2.5'), cost: Money.parse('1250') }],
            cash: Money.parse('10.01'),
            lotsPerChunk: 40,
            chunks: 1,
          },
          chunksDone: 0,
          moved: new Map(),
          by: 'ops',
          createdAt: '2026-11-25T10:00:00.000Z',
          updatedAt: '2026-11-25T10:00:00.000Z',
        }),
      ),
    ).toMatchObject({
      PK: 'STRATEGY#momentum#FLOW',
      SK: 'MIGRATION#2026-11-24T20:30:00.000Z#mig-1',
      entity: 'MIGRATION',
      direction: 'to-legacy',
      status: 'OPEN',
      chunks_done: '0',
      plan_json:
        '{"positions":[{"symbol":"SPY","qty":"2.5","cost":"1250"}],"cash":"10.01","lotsPerChunk":40,"chunks":1}',
    });
  });
});
