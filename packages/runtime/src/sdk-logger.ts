import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NoOpLogger } from '@smithy/core/client';

/** The SDK's logger interface (every client's `logger` option). */
type SdkLoggerInterface = NonNullable<DynamoDBClientConfig['logger']>;

/**
 * The logger every AWS SDK client of a function is given: the SDK's own warnings (a socket pool at
 * capacity, a hint about a response it could not parse) written to the console, as the SDK writes
 * them by default; its per-call lines dropped, as its default logger drops them: `info` after each
 * call and `error` after each failed one, with the call's input (a condition that failed on
 * purpose, a throttle retried), which reach our code as results and errors anyway.
 *
 * Why a subclass of the SDK's own `NoOpLogger`, and given explicitly:
 * - The SDK's logger middleware skips a NoOpLogger (`instanceof`) after every successful call;
 *   for any other logger it first builds the call's input and output with sensitive fields
 *   filtered, by walking their schemas, only for `info` to drop them: measurable CPU on a cold
 *   start, every call. The class must be the one the clients import (`@smithy/core/client`, one
 *   version in the workspace; sdk-logger.test.ts proves it).
 * - A function's bundle is minified, and the SDK tells its default logger apart for warnings by
 *   the class name `NoOpLogger`, which minifying changes (and which a subclass does not have), so
 *   the default would send those warnings to a logger that drops them; this one writes them.
 */
class SdkLogger extends NoOpLogger {
  override warn(...content: unknown[]): void {
    console.warn(...content);
  }
}

export const SDK_LOGGER: NoOpLogger & SdkLoggerInterface = new SdkLogger();
