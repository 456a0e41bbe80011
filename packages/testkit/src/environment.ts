import { BooksError } from '@books/core';

export class StackNotRunningError extends BooksError {
  static override readonly errorName: string = 'StackNotRunningError';
  constructor(variable: string) {
    super(
      'TEST_STACK_NOT_RUNNING',
      `${variable} is not set: the embedded test stack is not running. Run tests through the root jest ` +
        'config (`pnpm jest`), whose globalSetup (packages/local/test/support/global-setup.ts) starts it.',
      { variable },
    );
  }
}

export type TestVariable =
  | 'BOOKS_TEST_DYNAMODB_ENDPOINT'
  | 'BOOKS_TEST_SQS_ENDPOINT'
  | 'BOOKS_TEST_S3_ENDPOINT'
  | 'BOOKS_TEST_RESOURCE_DEFINITIONS';

/** A variable the jest globalSetup exports; a clear error when the stack was not started. */
export function testVariable(name: TestVariable): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new StackNotRunningError(name);
  return value;
}
