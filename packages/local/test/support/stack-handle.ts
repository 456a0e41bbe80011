import type { StackHandle } from '../../src/stack';

// globalSetup and globalTeardown run in the same jest process: the handle passes through a global.
declare global {
  var __BOOKS_TEST_STACK__: StackHandle | undefined;
}

export function rememberStack(handle: StackHandle): void {
  globalThis.__BOOKS_TEST_STACK__ = handle;
}

export function takeStack(): StackHandle | undefined {
  const handle = globalThis.__BOOKS_TEST_STACK__;
  globalThis.__BOOKS_TEST_STACK__ = undefined;
  return handle;
}
