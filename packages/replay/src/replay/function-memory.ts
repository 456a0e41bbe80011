import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudFormationYaml, workspaceRoot } from '@books/local';
import * as z from 'zod';

const ServerlessSchema = z.object({
  provider: z.object({ memorySize: z.number().int().positive() }),
  functions: z.record(
    z.string(),
    z.object({ memorySize: z.number().int().positive().optional() }).nullable(),
  ),
});

/**
 * The memory (MB) serverless.yml deploys each of `functions` with: its own memorySize, else the
 * provider's (for benchmarks' Lambda GB-second estimates).
 */
export function functionMemorySizes<F extends string>(
  functions: readonly F[],
  serverlessFile = join(workspaceRoot(), 'serverless.yml'),
): Record<F, number> {
  const doc = ServerlessSchema.parse(parseCloudFormationYaml(readFileSync(serverlessFile, 'utf8')));
  const out = {} as Record<F, number>;
  for (const fn of functions) out[fn] = doc.functions[fn]?.memorySize ?? doc.provider.memorySize;
  return out;
}
