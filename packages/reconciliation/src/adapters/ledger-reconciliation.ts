import type { Broker } from '@books/broker';
import { type RunId, runIdOf, type StrategyId, type TradingDate } from '@books/core';
import {
  type BookRepository,
  type LoadedBook,
  loadBook,
  type ReconRepository,
  type ReconResult,
  type RunRepository,
} from '@books/ledger-client';
import type { BookSource, BrokerAccount, ReconResultStore, RunIntent, RunOrders } from '../ports';

/** The stage's run of a date, `{stage}-{date}`, read strongly consistent from the ledger. */
export class LedgerRunOrders implements RunOrders {
  constructor(
    private readonly stage: string,
    private readonly runs: RunRepository,
  ) {}

  async ofDate(date: TradingDate): Promise<{ runId: RunId; intents: readonly RunIntent[] } | undefined> {
    const run = await this.runs.listRunItems(runIdOf(this.stage, date));
    return run && { runId: run.meta.runId, intents: run.intents };
  }
}

/** Books as stored on the ledger; an absent book reads empty. */
export class LedgerBookSource implements BookSource {
  constructor(private readonly books: BookRepository) {}

  read(strategyId: StrategyId): Promise<LoadedBook> {
    return loadBook(this.books, strategyId);
  }

  bookIds(): Promise<readonly StrategyId[]> {
    return this.books.bookIds();
  }
}

/** Results as `RECON#{date}` items, each written once. */
export class LedgerReconResults implements ReconResultStore {
  constructor(private readonly recon: ReconRepository) {}

  put(result: ReconResult): Promise<boolean> {
    return this.recon.put(result);
  }
}

/** The broker port's positions and account. */
export class BrokerAccountSource implements BrokerAccount {
  constructor(private readonly broker: Pick<Broker, 'getPositions' | 'getAccount' | 'listExternalRows'>) {}

  async otherClasses() {
    return (await this.broker.listExternalRows?.()) ?? [];
  }

  positions() {
    return this.broker.getPositions();
  }

  account() {
    return this.broker.getAccount();
  }
}
