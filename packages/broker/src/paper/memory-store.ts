import { ConcurrencyError, canonical, type Money } from '@books/core';
import { DuplicateClientOrderIdError } from '../errors';
import { isOpenOrderStatus } from '../port';
import type { PaperAccountState, PaperOrderRecord, Versioned } from './records';
import { PaperAccountMissing, type PaperBrokerStore, type PaperCommit } from './store';

/** The paper broker's state in this process only; same semantics as the DynamoDB store. */
export class InMemoryPaperBrokerStore implements PaperBrokerStore {
  private account: Versioned<PaperAccountState> | undefined;
  private readonly orders = new Map<string, PaperOrderRecord>();
  private readonly idToClientId = new Map<string, string>();

  async initialise(cash: Money): Promise<void> {
    this.account ??= { value: { cash: canonical(cash.value), positions: {} }, version: 0 };
  }

  async loadAccount(): Promise<Versioned<PaperAccountState>> {
    if (!this.account) throw new PaperAccountMissing('in memory');
    return structuredClone(this.account);
  }

  async getOrder(id: string): Promise<PaperOrderRecord | undefined> {
    const cid = this.idToClientId.get(id);
    return cid === undefined ? undefined : this.getOrderByClientId(cid);
  }

  async getOrderByClientId(clientOrderId: string): Promise<PaperOrderRecord | undefined> {
    const o = this.orders.get(clientOrderId);
    return o === undefined ? undefined : structuredClone(o);
  }

  async listOpenOrders(): Promise<PaperOrderRecord[]> {
    return [...this.orders.values()]
      .filter((o) => isOpenOrderStatus(o.status))
      .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt))
      .map((o) => structuredClone(o));
  }

  async commit(change: PaperCommit): Promise<void> {
    if (!this.account) throw new Error('paper account not initialised');
    if (change.newOrder && this.orders.has(change.newOrder.clientOrderId))
      throw new DuplicateClientOrderIdError(change.newOrder.clientOrderId);
    if (this.account.version !== change.account.expectedVersion)
      throw new ConcurrencyError('paper account changed meanwhile', {
        expected: change.account.expectedVersion,
      });
    for (const u of change.updatedOrders ?? []) {
      if (this.orders.get(u.order.clientOrderId)?.revision !== u.expectedRevision)
        throw new ConcurrencyError(`paper order ${u.order.id} changed meanwhile`, { orderId: u.order.id });
    }
    this.account = { value: structuredClone(change.account.next), version: this.account.version + 1 };
    if (change.newOrder) {
      this.orders.set(change.newOrder.clientOrderId, structuredClone({ ...change.newOrder, revision: 0 }));
      this.idToClientId.set(change.newOrder.id, change.newOrder.clientOrderId);
    }
    for (const u of change.updatedOrders ?? []) {
      this.orders.set(
        u.order.clientOrderId,
        structuredClone({ ...u.order, revision: u.expectedRevision + 1 }),
      );
    }
  }
}
