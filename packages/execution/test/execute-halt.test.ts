import { executeRequest } from '../src/execute';
import { world } from './support/world';

const HALT = 'halted by ann at 2024-10-01T19:30:01.000Z: broker incident';

describe('the account halt, read again under the symbol lease just before the broker call', () => {
  it('cancels an intent unplaced when the halt is set after its first read, while it waited for the lease', async () => {
    let setHalt: (h: string) => void = () => undefined;
    const w = world({ onLease: () => setHalt(HALT) });
    setHalt = w.setHalt;

    const result = await executeRequest(w.deps, w.message);

    expect(result).toEqual({ kind: 'recorded', state: 'CANCELED', filledQty: '0' });
    expect(await w.broker.listOpenOrders()).toEqual([]);
    await expect(w.broker.getOrderByClientId(w.message.client_order_id)).rejects.toThrow();
    expect(w.outcomes.map((o) => [o.finalState, o.reason])).toEqual([
      ['CANCELED', `canceled unplaced: the account is halted (${HALT})`],
    ]);
  });

  it('follows the order a concurrent delivery placed for an intent this call created, instead of canceling it', async () => {
    let w: ReturnType<typeof world> | undefined;
    w = world({
      onLease: async () => {
        if (!w) return;
        // Another delivery of the message placed the order while this one waited for the lease.
        await w.placeByAnotherDelivery();
        w.setHalt(HALT);
      },
    });

    const result = await executeRequest(w.deps, w.message);

    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED', filledQty: '2' });
    expect(w.outcomes.map((o) => o.finalState)).toEqual(['FILLED']);
  });

  it('expires an intent whose run session closed even while the halt cannot be read', async () => {
    const w = world();
    const deps = {
      ...w.deps,
      windows: { closedReason: async () => 'the session closed' },
      halt: {
        haltedReason: async (): Promise<string | undefined> => {
          throw new Error('controls unreadable');
        },
      },
    };
    expect(await executeRequest(deps, w.message)).toEqual({
      kind: 'recorded',
      state: 'EXPIRED',
      filledQty: '0',
    });
  });

  it('places nothing, and fails the message, while the session is open and the halt cannot be read', async () => {
    const w = world();
    const deps = {
      ...w.deps,
      halt: {
        haltedReason: async (): Promise<string | undefined> => {
          throw new Error('controls unreadable');
        },
      },
    };
    await expect(executeRequest(deps, w.message)).rejects.toThrow('controls unreadable');
    expect(w.brokerCalls).toEqual([]);
  });

  it('places the order when no halt is set', async () => {
    const w = world();
    const result = await executeRequest(w.deps, w.message);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED', filledQty: '2' });
    expect((await w.broker.getOrderByClientId(w.message.client_order_id)).status).toBe('filled');
  });
});
