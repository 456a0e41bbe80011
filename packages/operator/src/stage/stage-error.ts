import { BooksError } from '@books/core';

/** A stage that cannot be reached as asked: the message says what is missing and how to fix it. */
export class StageError extends BooksError {
  static override readonly errorName: string = 'StageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('STAGE', message, {}, options);
  }
}
