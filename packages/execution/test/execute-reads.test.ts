import { BrokerOrderId } from '@books/broker';
import { executeRequest } from '../src/execute';
import { runId, strategyId, world } from './support/world';

describe('one request reads nothing it already knows', () => {
  it('places the order of an intent its claim created without looking the client order id up first', async () => {
    const w = world();
    await executeRequest(w.deps, w.message);
    expect(w.brokerCalls).toEqual(['placeOrder']);
  });

  it('looks the client order id up before placing an intent it found still NEW (an earlier delivery may have placed it)', async () => {
    const w = world({ earlier: { state: 'NEW' } });
    await executeRequest(w.deps, w.message);
    expect(w.brokerCalls).toEqual(['getOrderByClientId', 'placeOrder']);
  });

  it('follows, never places again, the order an earlier delivery placed before it stopped', async () => {
    const w = world({ earlier: { state: 'NEW' } });
    const placed = await w.placeByAnotherDelivery();
    const result = await executeRequest(w.deps, w.message);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED' });
    expect(w.brokerCalls).toEqual(['getOrderByClientId']);
    expect(w.outcomes[0]?.fill?.fill.orderId).toBe(placed.id);
  });

  it('records the fill of an intent it moved to SUBMITTED itself without reading its state again', async () => {
    const w = world();
    await executeRequest(w.deps, w.message);
    expect(w.outcomes.map((o) => o.finalState)).toEqual(['FILLED']);
    expect(w.stateReads()).toBe(0);
  });

  it('reads the state of an intent found SUBMITTED before recording its fill (another writer may have recorded it)', async () => {
    const w = world({ earlier: { state: 'NEW' } });
    const placed = await w.placeByAnotherDelivery();
    w.moveIntent({ state: 'SUBMITTED', brokerOrderId: BrokerOrderId(placed.id) });
    await executeRequest(w.deps, w.message);
    expect(w.stateReads()).toBe(1);
    expect(w.outcomes.map((o) => o.finalState)).toEqual(['FILLED']);
  });

  it("starts reading the run's session and the account's halt before the claim, not after it", async () => {
    const w = world();
    await executeRequest(w.deps, w.message);
    // Both are needed before a NEW intent's order and neither depends on the claim; the halt is
    // read once more just before the broker call.
    expect(w.asked).toEqual(['prepare session', 'halt', 'claim', 'closed reason', 'halt']);
  });

  it('places nothing for a NEW intent it found that a concurrent delivery filled while this call waited for the lock', async () => {
    const w = world({
      earlier: { state: 'NEW' },
      // The twin delivery held the symbol's lock and placed, filled and recorded the order.
      onLease: () => {
        w.moveIntent({ state: 'FILLED' });
      },
    });
    expect(await executeRequest(w.deps, w.message)).toEqual({ kind: 'already-final', state: 'FILLED' });
    expect(w.brokerCalls).toEqual([]);
    expect(w.outcomes).toEqual([]);
  });

  it('ends as already final, recording nothing, when a twin delivery took the lock first and filled the intent this call created', async () => {
    const w = world({
      onLease: async () => {
        // The twin found the intent NEW, took the symbol's lock first, placed the order and recorded its fill.
        await w.placeByAnotherDelivery();
        w.moveIntent({ state: 'FILLED' });
      },
    });
    expect(await executeRequest(w.deps, w.message)).toEqual({ kind: 'already-final', state: 'FILLED' });
    expect(w.outcomes).toEqual([]);
  });

  it('does not read again the state of an intent its own claim created, once the lock is held', async () => {
    const w = world();
    await executeRequest(w.deps, w.message);
    expect(w.stateReads()).toBe(0);
  });

  it('hands the BUY release the plan its claim read, on every way out', async () => {
    const placed = world();
    await executeRequest(placed.deps, placed.message);
    const final = world({ earlier: { state: 'FILLED' } });
    await executeRequest(final.deps, final.message);
    for (const w of [placed, final]) expect(w.releases).toEqual([{ runId, strategyId, plan: w.stored }]);
  });
});
