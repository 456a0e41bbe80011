import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BooksError } from '@books/core';
import { localDynamoDb, localSqs, type StackEndpoints } from './clients';
import {
  type LoadOptions,
  loadResourceDefinitions,
  type QueueSpec,
  type TableSpec,
} from './resource-definitions';

export interface EnsuredResources {
  readonly tables: readonly { logicalId: string; tableName: string }[];
  readonly queues: readonly { logicalId: string; queueName: string; url: string; arn: string }[];
}

/**
 * Creates the tables and queues serverless.yml declares for `stage`, where missing; existing ones
 * are kept with their data (the servers may persist a user's books between runs).
 */
export async function ensureResources(
  endpoints: StackEndpoints,
  stage: string,
  options: Omit<LoadOptions, 'stage'> = {},
): Promise<EnsuredResources> {
  const dynamodb = localDynamoDb(endpoints.dynamodb);
  const sqs = localSqs(endpoints.sqs);
  try {
    return await ensureResourcesWith({ dynamodb, sqs }, stage, options);
  } finally {
    dynamodb.destroy();
    sqs.destroy();
  }
}

/** As ensureResources, through the given clients (an in-process DynamoDB and SQS, for a backtest). */
export async function ensureResourcesWith(
  clients: { readonly dynamodb: DynamoDBClient; readonly sqs: SQSClient },
  stage: string,
  options: Omit<LoadOptions, 'stage'> = {},
): Promise<EnsuredResources> {
  const definitions = loadResourceDefinitions({ ...options, stage });
  const tables = [];
  for (const spec of definitions.tables) {
    await createTable(clients.dynamodb, spec, spec.tableName);
    tables.push({ logicalId: spec.logicalId, tableName: spec.tableName });
  }
  const queues = await createQueues(clients.sqs, definitions.queues, (spec) => spec.queueName);
  return { tables, queues };
}

export function createTableInput(spec: TableSpec, tableName: string): CreateTableCommandInput {
  const provisioned = spec.billingMode === 'PROVISIONED';
  const throughput = spec.provisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  const index = (i: TableSpec['globalSecondaryIndexes'][number]) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection,
    ...(provisioned ? { ProvisionedThroughput: i.ProvisionedThroughput ?? throughput } : {}),
  });
  return {
    TableName: tableName,
    BillingMode: spec.billingMode,
    AttributeDefinitions: [...spec.attributeDefinitions],
    KeySchema: [...spec.keySchema],
    ...(spec.globalSecondaryIndexes.length > 0
      ? { GlobalSecondaryIndexes: spec.globalSecondaryIndexes.map(index) }
      : {}),
    ...(spec.localSecondaryIndexes.length > 0
      ? { LocalSecondaryIndexes: spec.localSecondaryIndexes.map(({ ProvisionedThroughput: _, ...i }) => i) }
      : {}),
    ...(provisioned ? { ProvisionedThroughput: throughput } : {}),
  };
}

/** Creates `tableName` from `spec` (TTL included) unless it exists. Returns whether it created it. */
export async function createTable(
  client: DynamoDBClient,
  spec: TableSpec,
  tableName: string,
): Promise<boolean> {
  let created = true;
  try {
    await client.send(new CreateTableCommand(createTableInput(spec, tableName)));
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
    created = false;
  }
  const existing = await waitForActive(client, tableName);
  if (!created) assertSameKeys(spec, existing);
  if (created && spec.timeToLiveAttribute !== undefined) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: spec.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return created;
}

async function waitForActive(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return Table;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new BooksError('STACK_RESOURCE', `table ${tableName} did not become ACTIVE`, { tableName });
}

/**
 * A table kept from an earlier run (persisted under .books) must have the keys and indexes
 * serverless.yml declares now; otherwise every query would fail in confusing ways.
 */
function assertSameKeys(spec: TableSpec, table: TableDescription): void {
  const keyText = (k: readonly { AttributeName?: string; KeyType?: string }[] | undefined) =>
    (k ?? []).map((e) => `${e.AttributeName}:${e.KeyType}`).join(',');
  const shape = (
    keySchema: string,
    indexes: readonly { IndexName?: string; KeySchema?: KeySchemaElement[] }[],
  ) => [keySchema, ...indexes.map((i) => `${i.IndexName}(${keyText(i.KeySchema)})`).sort()].join(' ');
  const wanted = shape(keyText(spec.keySchema), spec.globalSecondaryIndexes);
  const found = shape(keyText(table.KeySchema), table.GlobalSecondaryIndexes ?? []);
  if (wanted !== found)
    throw new BooksError(
      'STACK_RESOURCE',
      `table ${spec.tableName} exists with other keys than serverless.yml declares (found ${found}, want ${wanted}); ` +
        'stop the stack and remove its dynamodb data folder to recreate it',
      { tableName: spec.tableName, found, wanted },
    );
}

/**
 * Creates the queues, dead-letter targets first so that each RedrivePolicy names its target's ARN.
 * CreateQueue is idempotent for an existing queue with the same attributes.
 */
export async function createQueues(
  client: SQSClient,
  specs: readonly QueueSpec[],
  nameFor: (spec: QueueSpec) => string,
): Promise<EnsuredResources['queues']> {
  const created = new Map<string, { logicalId: string; queueName: string; url: string; arn: string }>();
  const create = async (spec: QueueSpec, chain: readonly string[]): Promise<string> => {
    const done = created.get(spec.logicalId);
    if (done) return done.arn;
    if (chain.includes(spec.logicalId))
      throw new BooksError(
        'STACK_RESOURCE',
        `queues redrive in a cycle: ${[...chain, spec.logicalId].join(' → ')}`,
      );
    const attributes: Record<string, string> = { ...spec.attributes };
    if (spec.deadLetter) {
      const target = specs.find((s) => s.logicalId === spec.deadLetter?.targetLogicalId);
      if (!target) throw new BooksError('STACK_RESOURCE', `${spec.logicalId}: unknown dead-letter queue`);
      const deadLetterTargetArn = await create(target, [...chain, spec.logicalId]);
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn,
        maxReceiveCount: spec.deadLetter.maxReceiveCount,
      });
    }
    const queueName = nameFor(spec);
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }),
    );
    if (QueueUrl === undefined)
      throw new BooksError('STACK_RESOURCE', `CreateQueue ${queueName} returned no URL`);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const arn = Attributes?.QueueArn;
    if (arn === undefined) throw new BooksError('STACK_RESOURCE', `queue ${queueName} has no ARN`);
    created.set(spec.logicalId, { logicalId: spec.logicalId, queueName, url: QueueUrl, arn });
    return arn;
  };
  for (const spec of specs) await create(spec, []);
  return specs.flatMap((s) => {
    const q = created.get(s.logicalId);
    return q ? [q] : [];
  });
}
