/**
 * The logger every AWS SDK client of a function is given: the SDK's own warnings (a socket pool at
 * capacity, a hint about a response it could not parse) written to the console, as the SDK writes
 * them by default; its per-call lines dropped, as its default logger drops them: `info` after each
 * call and `error` after each failed one, with the call's input (a condition that failed on
 * purpose, a throttle retried), which reach our code as results and errors anyway. Given
 * explicitly because a function's bundle is minified: the SDK tells its default logger apart by
 * the class name `NoOpLogger`, which minifying changes, and would otherwise send those warnings to
 * it, unwritten.
 */
export const SDK_LOGGER = {
  trace: (..._content: unknown[]): void => undefined,
  debug: (..._content: unknown[]): void => undefined,
  info: (..._content: unknown[]): void => undefined,
  warn: (...content: unknown[]): void => console.warn(...content),
  error: (..._content: unknown[]): void => undefined,
};
