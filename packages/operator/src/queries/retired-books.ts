import { EXTERNAL, LEGACY, type StrategyId } from '@books/core';
import type { Services } from '@books/runtime';

/**
 * The books on the ledger whose strategy is not in the configuration (LEGACY and EXTERNAL are
 * never a strategy's): "retired" books, which keep owning what they hold until they are emptied.
 */
export async function unconfiguredBookIds(
  services: Pick<Services, 'books'>,
  configured: readonly StrategyId[],
): Promise<StrategyId[]> {
  return (await services.books.bookIds()).filter(
    (id) => id !== LEGACY && id !== EXTERNAL && !configured.includes(id),
  );
}
