import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@books/core';
import * as z from 'zod';
import { parseCloudFormationYaml } from '../stack/cloudformation-yaml';
import { workspaceRoot } from '../stack/paths';

const SqsEventSchema = z.object({
  sqs: z.object({ arn: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }) }),
});

const DocSchema = z.object({
  service: z.string(),
  functions: z.record(z.string(), z.object({ events: z.array(z.unknown()).optional() }).loose()),
});

/** What the local dev loop needs to know of serverless.yml's functions. */
export interface ServerlessFunctions {
  readonly service: string;
  /** The function an SQS queue (by its resource's logical id) triggers. */
  consumerOf(queueLogicalId: string): string;
}

export function readServerlessFunctions(serverlessFile?: string): ServerlessFunctions {
  const file = serverlessFile ?? join(workspaceRoot(), 'serverless.yml');
  const parsed = DocSchema.safeParse(parseCloudFormationYaml(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new ValidationError(`${file}: no service and functions`, [
      { path: 'functions', message: parsed.error.message },
    ]);
  const { service, functions } = parsed.data;
  return {
    service,
    consumerOf(queueLogicalId) {
      for (const [name, fn] of Object.entries(functions)) {
        for (const event of fn.events ?? []) {
          const sqs = SqsEventSchema.safeParse(event);
          if (sqs.success && sqs.data.sqs.arn['Fn::GetAtt'][0] === queueLogicalId) return name;
        }
      }
      throw new ValidationError(`${file}: no function is triggered by ${queueLogicalId}`, [
        { path: 'functions', message: `no sqs event on ${queueLogicalId}` },
      ]);
    },
  };
}
