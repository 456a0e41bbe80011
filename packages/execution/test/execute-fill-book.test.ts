import type { Broker, BrokerOrder } from '@books/broker';
import { Quantity } from '@books/core';
import { executeRequest } from '../src/execute';
import { recordFinalOrder } from '../src/record-final-order';
import { world } from './support/world';

/** The order's fill id (its broker order id) as the steps name it. */
async function fillOf(w: ReturnType<typeof world>): Promise<string> {
  return (await w.broker.getOrderByClientId(w.message.client_order_id)).id;
}

/** The unhandled rejections raised while `work` runs (and a turn of the event loop after it). */
async function unhandledDuring(work: () => Promise<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await work().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('a BUY the broker fills at once: its book is read while the intent moves to SUBMITTED', () => {
  it('starts the book read for the fill, with its id, before the move to SUBMITTED has answered, and folds the fill into it', async () => {
    const w = world();
    const result = await executeRequest(w.deps, w.message);
    const fill = await fillOf(w);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED', filledQty: '2' });
    expect(w.steps).toEqual([
      `read book with fill ${fill}`,
      'move to SUBMITTED',
      'moved to SUBMITTED',
      'record FILLED at version 1 and release the lease',
    ]);
    expect(w.book().book.lots.map((l) => l.openQty.toString())).toEqual(['2']);
  });

  it('records the fill once, after reading the book again, when another trade of the book lands between the read and the write', async () => {
    const w = world({ onSubmitted: () => w.touchBook() });
    const result = await executeRequest(w.deps, w.message);
    const fill = await fillOf(w);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED' });
    expect(w.steps).toEqual([
      `read book with fill ${fill}`,
      'move to SUBMITTED',
      'moved to SUBMITTED',
      `read book with fill ${fill}`,
      'record FILLED at version 2 and release the lease',
    ]);
    // The re-read asks the intent's state first: another writer may have recorded it meanwhile.
    expect(w.stateReads()).toBe(1);
    expect(w.outcomes).toHaveLength(1);
    expect(w.book().book.lots).toHaveLength(1);
  });

  it('records nothing more when a twin delivery records the same fill between the read and the write', async () => {
    const w = world({
      onSubmitted: async () => {
        // The twin follows the order this call placed and records its fill first.
        const intent = w.intents.get(w.message.client_order_id);
        if (!intent) throw new Error('the intent was not claimed');
        const order = await w.broker.getOrderByClientId(w.message.client_order_id);
        await recordFinalOrder(w.deps, { intent, order, strategyCapital: w.message.strategy_capital });
      },
    });
    const result = await executeRequest(w.deps, w.message);
    expect(result).toMatchObject({ state: 'FILLED' });
    expect(w.outcomes).toHaveLength(1);
    // This call's outcome, found already recorded, did not release the lease: withSymbol does.
    expect(w.steps.at(-1)).toBe('release the lease');
    expect(w.book().book.lots.map((l) => l.openQty.toString())).toEqual(['2']);
    expect(w.book().version).toBe(2);
  });

  it('ends as already final, recording nothing, when the move finds the intent final, and its unawaited read failing raises nothing', async () => {
    const w = world({
      onLease: async () => {
        // The twin took the lock first, placed the order and recorded its fill.
        await w.placeByAnotherDelivery();
        w.moveIntent({ state: 'FILLED' });
        w.failBookReads(new Error('the book read failed'));
      },
    });
    // The duplicate POST is answered with the twin's filled order (its fill's read starts), and the
    // move to SUBMITTED finds the intent FILLED: the read is never awaited.
    let result: unknown;
    const unhandled = await unhandledDuring(async () => {
      result = await executeRequest(w.deps, w.message);
    });
    expect(result).toEqual({ kind: 'already-final', state: 'FILLED' });
    expect(w.steps).toEqual([`read book with fill ${await fillOf(w)}`, 'release the lease']);
    expect(unhandled).toEqual([]);
    expect(w.outcomes).toEqual([]);
  });

  it('fails the message, recording nothing, when the book read fails though the move to SUBMITTED applied', async () => {
    const w = world();
    w.failBookReads(new Error('the book read failed'));
    await expect(executeRequest(w.deps, w.message)).rejects.toThrow('the book read failed');
    expect(w.outcomes).toEqual([]);
    expect(w.intents.get(w.message.client_order_id)?.state).toBe('SUBMITTED');
  });

  it('reads the book only after the move when the broker answered the POST with the order still working', async () => {
    const w = world();
    const working = <O extends BrokerOrder>(o: O): O => ({
      ...o,
      status: 'accepted',
      filledQty: Quantity.ZERO,
      filledAvgPrice: null,
      filledAt: null,
    });
    const broker: Broker = {
      ...w.deps.broker,
      placeOrder: async (request) => working(await w.deps.broker.placeOrder(request)),
    };
    const result = await executeRequest({ ...w.deps, broker }, w.message);
    const fill = await fillOf(w);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED' });
    expect(w.steps).toEqual([
      'move to SUBMITTED',
      'moved to SUBMITTED',
      `read book with fill ${fill}`,
      'record FILLED at version 1 and release the lease',
    ]);
  });
});

describe('a SELL folds its fill into the book its sell check read', () => {
  it('reads the book once, before the POST, and records the fill at that version', async () => {
    const w = world({ side: 'sell' });
    await w.holdAtBroker();
    const result = await executeRequest(w.deps, w.message);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED', filledQty: '2' });
    expect(w.steps).toEqual([
      'read book',
      'move to SUBMITTED',
      'moved to SUBMITTED',
      'record FILLED at version 1 and release the lease',
    ]);
    expect(w.book().book.lots).toEqual([]);
  });

  it('records the fill once, after reading the book again with the fill’s id, when another trade of the book lands after the sell check', async () => {
    const w = world({ side: 'sell', onSubmitted: () => w.touchBook() });
    await w.holdAtBroker();
    const result = await executeRequest(w.deps, w.message);
    const fill = await fillOf(w);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED' });
    expect(w.steps).toEqual([
      'read book',
      'move to SUBMITTED',
      'moved to SUBMITTED',
      `read book with fill ${fill}`,
      'record FILLED at version 2 and release the lease',
    ]);
    expect(w.outcomes).toHaveLength(1);
    expect(w.book().book.lots).toEqual([]);
  });

  it('records nothing more when a twin delivery records the same fill after the sell check', async () => {
    const w = world({
      side: 'sell',
      onSubmitted: async () => {
        const intent = w.intents.get(w.message.client_order_id);
        if (!intent) throw new Error('the intent was not claimed');
        const order = await w.broker.getOrderByClientId(w.message.client_order_id);
        await recordFinalOrder(w.deps, { intent, order, strategyCapital: w.message.strategy_capital });
      },
    });
    await w.holdAtBroker();
    await executeRequest(w.deps, w.message);
    expect(w.outcomes).toHaveLength(1);
    expect(w.book().book.lots).toEqual([]);
    expect(w.book().book.cash.toString()).toBe(w.outcomes[0]?.fill?.application.book.cash.toString());
  });

  it('follows the order an earlier delivery placed, folding its fill into the sell check’s book', async () => {
    const w = world({ side: 'sell', earlier: { state: 'NEW' } });
    await w.holdAtBroker();
    await w.placeByAnotherDelivery();
    const result = await executeRequest(w.deps, w.message);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED' });
    expect(w.brokerCalls).toEqual(['getOrderByClientId']);
    expect(w.steps).toEqual([
      'read book',
      'move to SUBMITTED',
      'moved to SUBMITTED',
      'record FILLED at version 1 and release the lease',
    ]);
  });
});
