import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ManualClock, Money, StrategyId } from '@books/core';
import { ControlRepository, LedgerTable } from '@books/ledger-client';
import { createTestTable, type FakeSsmServer, startFakeSsm, type TestTable } from '@books/testkit';
import { applyControl, readStandings } from '../src/controls';
import { FileControlsStore, SsmControlsStore } from '../src/controls-store';

const momentum = StrategyId('momentum');
const breakout = StrategyId('breakout');
const note = { by: 'arn:aws:iam::1:user/ann', at: '2026-11-24T15:00:00.000Z', reason: 'earnings' };

describe('the controls store in SSM (one parameter per book, ACCOUNT for the halt)', () => {
  let ssm: FakeSsmServer;
  let client: SSMClient;
  beforeAll(async () => {
    ssm = await startFakeSsm();
    client = new SSMClient({
      region: 'us-east-1',
      endpoint: ssm.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await ssm.close();
  });

  it('sets, reads and removes each control', async () => {
    const store = new SsmControlsStore(client, '/strategy-books/prod/controls');
    await store.setBook(momentum, { state: 'paused', id: 'c1', ...note });
    await store.setBook(breakout, { state: 'liquidate', id: 'c2', ...note });
    await store.setHalt({ state: 'halted', ...note });
    const read = await store.read();
    expect(read.halt).toEqual({ state: 'halted', ...note });
    expect(read.books.get(momentum)?.state).toBe('paused');
    expect(read.books.get(breakout)?.id).toBe('c2');
    expect(JSON.parse(ssm.parameters.get('/strategy-books/prod/controls/ACCOUNT') ?? '')).toMatchObject({
      state: 'halted',
    });
    await store.setHalt(undefined);
    await store.setBook(momentum, undefined);
    await store.setBook(momentum, undefined);
    const after = await store.read();
    expect(after.halt).toBeUndefined();
    expect([...after.books.keys()]).toEqual([breakout]);
  });

  it('names a parameter that is not a control instead of ignoring it', async () => {
    ssm.parameters.set('/strategy-books/bad/controls/momentum', '{"state":"stopped"}');
    ssm.parameters.set('/strategy-books/bad/controls/breakout', 'paused');
    await expect(new SsmControlsStore(client, '/strategy-books/bad/controls').read()).rejects.toThrow(
      /\/strategy-books\/bad\/controls\/breakout: not JSON[\s\S]*books\.momentum/,
    );
  });
});

describe('the controls store in a local file', () => {
  it('starts with no control and keeps the other books when one changes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'controls-')), 'controls.local.json');
    const store = new FileControlsStore(path);
    expect((await store.read()).books.size).toBe(0);
    await store.setBook(momentum, { state: 'paused', id: 'c1', ...note });
    await store.setHalt({ state: 'halted', ...note });
    await store.setBook(breakout, { state: 'liquidate', id: 'c2', ...note });
    const read = await store.read();
    expect([...read.books.keys()].sort()).toEqual([breakout, momentum]);
    expect(read.halt?.reason).toBe('earnings');
  });

  it('refuses a file whose control has no reason', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'controls-')), 'controls.local.json');
    writeFileSync(
      path,
      JSON.stringify({ books: { momentum: { state: 'paused', id: 'x', by: 'a', at: note.at, reason: '' } } }),
    );
    await expect(new FileControlsStore(path).read()).rejects.toThrow(/a control needs a reason/);
  });
});

describe('changing a control, recorded in the ledger (DynamoDB Local)', () => {
  let test: TestTable;
  let ledger: ControlRepository;
  beforeAll(async () => {
    test = await createTestTable('controls');
    ledger = new ControlRepository(new LedgerTable(test.client, test.tableName));
  });
  afterAll(() => test.cleanup());

  function deps(dir: string) {
    let n = 0;
    return {
      store: new FileControlsStore(join(dir, 'controls.json')),
      ledger,
      clock: new ManualClock('2026-11-24T15:00:00Z'),
      newId: () => `id${++n}`,
    };
  }

  it('records who, when and why of every change, newest first, and refuses a change without a reason', async () => {
    const d = deps(mkdtempSync(join(tmpdir(), 'controls-')));
    await applyControl(d, { action: 'pause', strategyId: momentum, by: 'ann', reason: 'earnings' });
    d.clock.set('2026-11-24T15:05:00Z');
    await applyControl(d, { action: 'halt', by: 'bob', reason: 'broker outage' });
    await expect(applyControl(d, { action: 'resume-account', by: 'bob', reason: ' ' })).rejects.toThrow(
      /needs a reason/,
    );
    const changes = await ledger.changes(10);
    expect(changes.map((c) => [c.action, c.target, c.by, c.at, c.reason])).toEqual([
      ['halt', 'ACCOUNT', 'bob', '2026-11-24T15:05:00.000Z', 'broker outage'],
      ['pause', 'momentum', 'ann', '2026-11-24T15:00:00.000Z', 'earnings'],
    ]);
    const standings = await readStandings(d.store, ledger, [momentum, breakout]);
    expect(standings.halt?.by).toBe('bob');
    expect(standings.books.get(momentum)?.kind).toBe('paused');
    expect(standings.books.get(breakout)?.kind).toBe('active');
  });

  it('pauses a liquidated book once its liquidation is recorded, and resume clears it and the drawdown latch', async () => {
    const d = deps(mkdtempSync(join(tmpdir(), 'controls-')));
    const asked = await applyControl(d, {
      action: 'liquidate',
      strategyId: breakout,
      by: 'ann',
      reason: 'retire',
    });
    expect((await readStandings(d.store, ledger, [breakout])).books.get(breakout)).toMatchObject({
      kind: 'liquidate',
      requestId: asked.id,
    });
    const change = {
      id: `liquidated-${asked.id}`,
      target: breakout,
      action: 'liquidated' as const,
      by: 'strategy-worker',
      at: '2026-11-24T20:30:00.000Z',
      reason: 'sold',
      runId: 'test-2026-11-24',
    };
    expect(await ledger.recordLiquidation(breakout, asked.id, 'test-2026-11-24', change)).toBe(
      'test-2026-11-24',
    );
    // A redelivered worker records nothing twice and learns the run that did it.
    expect(await ledger.recordLiquidation(breakout, asked.id, 'test-2026-11-25', change)).toBe(
      'test-2026-11-24',
    );
    expect((await readStandings(d.store, ledger, [breakout])).books.get(breakout)).toMatchObject({
      kind: 'paused',
      why: expect.stringContaining('liquidated in run test-2026-11-24'),
    });

    const mark = await ledger.saveMark(
      { strategyId: breakout, highWaterMark: Money.parse('1000'), markedAt: change.at, markedBy: 'r1' },
      undefined,
    );
    await ledger.latch(
      {
        strategyId: breakout,
        highWaterMark: Money.parse('1000'),
        markedAt: change.at,
        markedBy: 'r2',
        latched: {
          at: change.at,
          runId: 'r2',
          equity: Money.parse('700'),
          highWaterMark: Money.parse('1000'),
          action: 'pause',
        },
      },
      mark,
      { ...change, id: 'drawdown-r2', action: 'drawdown-stop', runId: 'r2' },
    );
    expect((await ledger.drawdown(breakout))?.latched?.equity.toString()).toBe('700');
    await applyControl(d, { action: 'resume', strategyId: breakout, by: 'ann', reason: 'reviewed' });
    expect(await ledger.drawdown(breakout)).toBeUndefined();
    expect((await readStandings(d.store, ledger, [breakout])).books.get(breakout)).toEqual({
      kind: 'active',
    });
    expect(
      (await ledger.changes(50)).filter((c) => c.action === 'resume' && c.target === breakout),
    ).toHaveLength(1);
  });

  it('keeps the high-water mark on a resume from a plain pause: only a latched stop restarts it', async () => {
    const d = deps(mkdtempSync(join(tmpdir(), 'controls-')));
    const sid = StrategyId('paused_only');
    // Another day than the other tests': their change ids (id1, id2…) at the same instant are theirs.
    d.clock.set('2026-11-25T15:00:00Z');
    await ledger.saveMark(
      {
        strategyId: sid,
        highWaterMark: Money.parse('1200'),
        markedAt: '2026-11-23T20:30:00.000Z',
        markedBy: 'r1',
      },
      undefined,
    );
    await applyControl(d, { action: 'pause', strategyId: sid, by: 'ann', reason: 'earnings' });
    await applyControl(d, { action: 'resume', strategyId: sid, by: 'ann', reason: 'earnings done' });
    const kept = await ledger.drawdown(sid);
    expect(kept?.highWaterMark.toString()).toBe('1200');
    expect(kept?.latched).toBeUndefined();
    expect((await readStandings(d.store, ledger, [sid])).books.get(sid)).toEqual({ kind: 'active' });
    expect((await ledger.changes(50)).find((c) => c.target === sid && c.action === 'resume')).toMatchObject({
      by: 'ann',
      reason: 'earnings done',
    });
  });
});
