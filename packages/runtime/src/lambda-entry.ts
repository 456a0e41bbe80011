import { createLogger, systemClock } from '@books/core';
import { parseRuntimeEnv, type RuntimeEnv } from './env';
import { localClock, withLocalStack } from './local-overlay';
import { createServices, type Services } from './services';

/**
 * A Lambda handler that validates its environment at cold start (a bad variable fails the
 * function before it touches anything, naming every problem), builds the stage's services once,
 * and hands each event to the function `build` wires over them.
 */
export function lambdaEntry<R>(
  service: string,
  build: (services: Services) => (event: unknown) => Promise<R>,
  options: { readonly requestsPerMinute?: (env: RuntimeEnv) => number } = {},
  processEnv: Readonly<Record<string, string | undefined>> = process.env,
): (event: unknown) => Promise<R> {
  const effective = withLocalStack(processEnv);
  const env = parseRuntimeEnv(effective);
  const logger = createLogger({ service, stage: env.BOOKS_STAGE }, { level: env.BOOKS_LOG_LEVEL });
  const clock = localClock(effective) ?? systemClock;
  let ready: Promise<(event: unknown) => Promise<R>> | undefined;
  return async (event) => {
    const requestsPerMinute = options.requestsPerMinute?.(env);
    ready ??= createServices(env, {
      clock,
      logger,
      processEnv: effective,
      ...(requestsPerMinute ? { requestsPerMinute } : {}),
    }).then(build);
    ready.catch(() => {
      ready = undefined;
    });
    return (await ready)(event);
  };
}
