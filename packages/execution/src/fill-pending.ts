import { BooksError } from '@books/core';

/**
 * The order is placed and still working after this attempt's wait: the message comes back later
 * and the order is looked up, never placed again. The symbol stays locked meanwhile.
 */
export class FillPending extends BooksError {
  static override readonly errorName: string = 'FillPending';
  constructor(clientOrderId: string, status: string) {
    super('FILL_PENDING', `order ${clientOrderId} is still ${status}; will look again`, {
      clientOrderId,
      status,
    });
  }
}
