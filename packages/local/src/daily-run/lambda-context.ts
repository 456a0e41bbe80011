import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { LambdaContext } from '@books/core';
import * as z from 'zod';
import { readCloudFormationYamlFile } from '../stack/cloudformation-yaml';
import { workspaceRoot } from '../stack/paths';

const ServerlessSchema = z.object({
  service: z.string(),
  provider: z.object({ timeout: z.number().int().positive().default(6) }),
  functions: z.record(z.string(), z.object({ timeout: z.number().int().positive().optional() }).nullable()),
});

/** How the in-process runner invokes a function: a fresh context per invocation. */
export type LambdaContexts = (fn: string) => LambdaContext;

/**
 * The contexts the in-process runner gives its functions, as Lambda would: each invocation has its
 * function's timeout from serverless.yml (its own, else the provider's) counted in real time from
 * the start of the invocation, like serverless-offline and `sls invoke local`.
 */
export function lambdaContexts(
  stage: string,
  options: {
    readonly serverlessFile?: string;
    /** Milliseconds of a monotonic clock; default performance.now. */
    readonly now?: () => number;
  } = {},
): LambdaContexts {
  const file = options.serverlessFile ?? join(workspaceRoot(), 'serverless.yml');
  const doc = ServerlessSchema.parse(readCloudFormationYamlFile(file));
  const now = options.now ?? (() => performance.now());
  return (fn) => {
    const declared = doc.functions[fn];
    if (declared === undefined) throw new Error(`${file} declares no function "${fn}"`);
    const timeoutMs = 1000 * (declared?.timeout ?? doc.provider.timeout);
    const deadline = now() + timeoutMs;
    return {
      functionName: `${doc.service}-${stage}-${fn}`,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - now())),
    };
  };
}
