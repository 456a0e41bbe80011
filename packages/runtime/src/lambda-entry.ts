import { createLogger, type LambdaContext, lambdaContextOf, systemClock } from '@books/core';
import { parseRuntimeEnv } from './env';
import { localClock, withLocalStack } from './local-overlay';
import { type Services, servicesWith } from './services';
import type { FunctionWiring } from './wiring';

/** A function as its handler runs it: the event, and the invocation's context from the runner. */
export type LambdaFunction<R> = (event: unknown, context: LambdaContext) => Promise<R>;

/**
 * A Lambda handler that validates its environment at cold start (a bad variable fails the
 * function before it touches anything, naming every problem), builds the stage's services once,
 * and hands each event, with the context the runtime gave (its remaining time bounds the
 * function's waits), to the function `build` wires over them. `wiring` names the AWS clients (and
 * adapters over them) the function makes, each on first use: its bundle holds only these.
 */
export function lambdaEntry<R>(
  service: string,
  wiring: FunctionWiring,
  build: (services: Services) => LambdaFunction<R>,
  processEnv: Readonly<Record<string, string | undefined>> = process.env,
): (event: unknown, context: unknown) => Promise<R> {
  const effective = withLocalStack(processEnv);
  const env = parseRuntimeEnv(effective);
  const logger = createLogger({ service, stage: env.BOOKS_STAGE }, { level: env.BOOKS_LOG_LEVEL });
  const clock = localClock(effective) ?? systemClock;
  let ready: Promise<LambdaFunction<R>> | undefined;
  return async (event, context) => {
    const invocation = lambdaContextOf(context);
    ready ??= servicesWith(env, wiring, { clock, logger, processEnv: effective, caller: service }).then(
      build,
    );
    ready.catch(() => {
      ready = undefined;
    });
    return (await ready)(event, invocation);
  };
}
