import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { testVariable } from './environment';

const KeySchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) }));
const Throughput = z.object({ ReadCapacityUnits: z.number(), WriteCapacityUnits: z.number() });
const Index = z.object({
  IndexName: z.string(),
  KeySchema,
  Projection: z.object({
    ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']),
    NonKeyAttributes: z.array(z.string()).optional(),
  }),
  ProvisionedThroughput: Throughput.optional(),
});

const CreateTableSchema = z.object({
  TableName: z.string(),
  BillingMode: z.enum(['PAY_PER_REQUEST', 'PROVISIONED']),
  AttributeDefinitions: z.array(
    z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) }),
  ),
  KeySchema,
  GlobalSecondaryIndexes: z.array(Index).optional(),
  LocalSecondaryIndexes: z.array(Index.omit({ ProvisionedThroughput: true })).optional(),
  ProvisionedThroughput: Throughput.optional(),
}) satisfies z.ZodType<CreateTableCommandInput>;

/**
 * The tables and queues of serverless.yml as the globalSetup exports them (packages/local reads
 * serverless.yml once; tests create uniquely-named copies of the very same definitions).
 */
const DefinitionsSchema = z.object({
  tables: z.array(
    z.object({
      logicalId: z.string(),
      createTable: CreateTableSchema,
      timeToLiveAttribute: z.string().nullable(),
    }),
  ),
  queues: z.array(
    z.object({
      logicalId: z.string(),
      queueName: z.string(),
      attributes: z.record(z.string(), z.string()),
      deadLetter: z.object({ targetLogicalId: z.string(), maxReceiveCount: z.number().int() }).optional(),
    }),
  ),
});

export type TestDefinitions = z.infer<typeof DefinitionsSchema>;
export type TestTableDefinition = TestDefinitions['tables'][number];
export type TestQueueDefinition = TestDefinitions['queues'][number];

let cached: TestDefinitions | undefined;

export function testDefinitions(): TestDefinitions {
  cached ??= DefinitionsSchema.parse(JSON.parse(testVariable('BOOKS_TEST_RESOURCE_DEFINITIONS')));
  return cached;
}
