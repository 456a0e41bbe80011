import { TransactGetItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Item } from './attribute-codec';
import { LedgerError, TransactionConflictError } from './errors';
import type { ItemKey } from './keys';
import type { LedgerTable } from './ledger-table';

/** DynamoDB's limit of items in one TransactGetItems request. */
export const MAX_TRANSACT_GET_ITEMS = 100;

/**
 * The items at `keys`, in their order (undefined where absent), read as of one instant with
 * TransactGetItems: no transaction is seen in part, and none lands between two of the reads (the
 * guarantee separate GetItems lack). A read cancelled by a transaction in flight on its items is a
 * TransactionConflictError (read again); any other failure a LedgerError.
 */
export async function transactGetItems(
  table: LedgerTable,
  keys: readonly ItemKey[],
): Promise<(Item | undefined)[]> {
  if (keys.length === 0) return [];
  if (keys.length > MAX_TRANSACT_GET_ITEMS)
    throw new LedgerError(
      `a transactional read holds at most ${MAX_TRANSACT_GET_ITEMS} items, got ${keys.length}`,
    );
  const label = (i: number) => `${keys[i]?.PK} / ${keys[i]?.SK}`;
  try {
    const out = await table.client.send(
      new TransactGetItemsCommand({
        TransactItems: keys.map((k) => ({
          Get: { TableName: table.tableName, Key: { PK: { S: k.PK }, SK: { S: k.SK } } },
        })),
      }),
    );
    const responses = out.Responses ?? [];
    return keys.map((_, i) => responses[i]?.Item);
  } catch (e) {
    if (e instanceof TransactionCanceledException) {
      const conflicts = (e.CancellationReasons ?? []).flatMap((r, index) =>
        r.Code === 'TransactionConflict'
          ? [{ index, label: label(index), code: r.Code, message: r.Message, current: undefined }]
          : [],
      );
      if (conflicts.length > 0) throw new TransactionConflictError(conflicts, { cause: e });
    }
    throw new LedgerError(
      `TransactGetItems of ${keys.length} items (${keys.map((_, i) => label(i)).join(', ')}) failed: ${e instanceof Error ? e.message : String(e)}`,
      { keys: keys.length },
      { cause: e },
    );
  }
}
