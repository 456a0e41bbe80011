import { join } from 'node:path';
import { ValidationError } from '@books/core';
import * as z from 'zod';
import { parseCloudFormationYaml, readCloudFormationYamlFile } from './cloudformation-yaml';
import { workspaceRoot } from './paths';
import { resolveVariables } from './serverless-variables';

/** A DynamoDB table as serverless.yml declares it, in the shape of the CreateTable API. */
export interface TableSpec {
  readonly logicalId: string;
  readonly tableName: string;
  readonly billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readonly attributeDefinitions: readonly { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  readonly keySchema: readonly KeyElement[];
  readonly globalSecondaryIndexes: readonly IndexSpec[];
  readonly localSecondaryIndexes: readonly IndexSpec[];
  readonly provisionedThroughput?: Throughput;
  /** The attribute DynamoDB's TTL reads, when enabled. */
  readonly timeToLiveAttribute?: string;
}

/** An SQS queue as serverless.yml declares it; the redrive target is another queue of the file. */
export interface QueueSpec {
  readonly logicalId: string;
  readonly queueName: string;
  /** SetQueueAttributes-style attributes, RedrivePolicy excepted. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly deadLetter?: { readonly targetLogicalId: string; readonly maxReceiveCount: number };
}

export interface ResourceDefinitions {
  readonly service: string;
  readonly stage: string;
  readonly tables: readonly TableSpec[];
  readonly queues: readonly QueueSpec[];
}

type KeyElement = { AttributeName: string; KeyType: 'HASH' | 'RANGE' };
type Throughput = { ReadCapacityUnits: number; WriteCapacityUnits: number };
type IndexSpec = {
  IndexName: string;
  KeySchema: KeyElement[];
  Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
  ProvisionedThroughput?: Throughput;
};

const intLike = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)])
  .transform((v) => Number(v));
const boolLike = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const KeyElementSchema = z.object({ AttributeName: z.string().min(1), KeyType: z.enum(['HASH', 'RANGE']) });
const ThroughputSchema = z.object({ ReadCapacityUnits: intLike, WriteCapacityUnits: intLike });
const IndexSchema = z.object({
  IndexName: z.string().min(1),
  KeySchema: z.array(KeyElementSchema).min(1),
  Projection: z.object({
    ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']),
    NonKeyAttributes: z.array(z.string()).optional(),
  }),
  ProvisionedThroughput: ThroughputSchema.optional(),
});

// Properties without a local meaning (PITR, SSE, tags, deletion protection) are accepted and ignored.
const TablePropertiesSchema = z.object({
  TableName: z.string().min(1, 'TableName is required: the stack names tables as the deploy does'),
  BillingMode: z.enum(['PAY_PER_REQUEST', 'PROVISIONED']).default('PROVISIONED'),
  AttributeDefinitions: z.array(
    z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) }),
  ),
  KeySchema: z.array(KeyElementSchema).min(1),
  GlobalSecondaryIndexes: z.array(IndexSchema).default([]),
  LocalSecondaryIndexes: z.array(IndexSchema).default([]),
  ProvisionedThroughput: ThroughputSchema.optional(),
  TimeToLiveSpecification: z.object({ AttributeName: z.string().min(1), Enabled: boolLike }).optional(),
});

const GetAttArn = z
  .object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) })
  .transform((v) => v['Fn::GetAtt'][0]);

const QueuePropertiesSchema = z
  .object({
    QueueName: z.string().min(1, 'QueueName is required: the stack names queues as the deploy does'),
    RedrivePolicy: z
      .object({
        deadLetterTargetArn: GetAttArn,
        maxReceiveCount: intLike,
      })
      .optional(),
  })
  .catchall(z.union([z.string(), z.number(), z.boolean()]));

const ServerlessSchema = z.object({
  service: z.string().min(1),
  params: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).default({}),
  resources: z.object({
    Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.unknown() })),
  }),
});

export interface LoadOptions {
  readonly stage: string;
  readonly region?: string;
  /** Defaults to the workspace's serverless.yml. */
  readonly serverlessFile?: string;
}

/** The tables and queues serverless.yml deploys for `stage`: the stack's one source of truth. */
export function loadResourceDefinitions(options: LoadOptions): ResourceDefinitions {
  const file = options.serverlessFile ?? join(workspaceRoot(), 'serverless.yml');
  return resourceDefinitionsFromDocument(readCloudFormationYamlFile(file), {
    ...options,
    serverlessFile: file,
  });
}

export function resourceDefinitionsFromYaml(text: string, options: LoadOptions): ResourceDefinitions {
  return resourceDefinitionsFromDocument(parseCloudFormationYaml(text), options);
}

/** The resource definitions of a parsed serverless.yml document. */
function resourceDefinitionsFromDocument(parsed: unknown, options: LoadOptions): ResourceDefinitions {
  const source = options.serverlessFile ?? 'serverless.yml';
  const doc = parseOrThrow(ServerlessSchema, parsed, source, '');
  const params = { ...(doc.params.default ?? {}), ...(doc.params[options.stage] ?? {}) };
  const ctx = { service: doc.service, stage: options.stage, region: options.region ?? 'us-east-1', params };

  const tables: TableSpec[] = [];
  const queues: QueueSpec[] = [];
  for (const [logicalId, resource] of Object.entries(doc.resources.Resources)) {
    const path = `resources.Resources.${logicalId}.Properties`;
    if (resource.Type === 'AWS::DynamoDB::Table') {
      const props = resolveVariables(resource.Properties, ctx, path);
      tables.push(toTableSpec(logicalId, parseOrThrow(TablePropertiesSchema, props, source, path)));
    } else if (resource.Type === 'AWS::SQS::Queue') {
      const props = resolveVariables(resource.Properties, ctx, path);
      queues.push(toQueueSpec(logicalId, parseOrThrow(QueuePropertiesSchema, props, source, path)));
    }
  }
  for (const q of queues) {
    const target = q.deadLetter?.targetLogicalId;
    if (target !== undefined && !queues.some((other) => other.logicalId === target)) {
      throw new ValidationError(`${source}: ${q.logicalId} redrives to ${target}, which is not a queue`, [
        { path: `resources.Resources.${q.logicalId}.Properties.RedrivePolicy`, message: 'unknown queue' },
      ]);
    }
  }
  return { service: doc.service, stage: options.stage, tables, queues };
}

function toTableSpec(logicalId: string, p: z.infer<typeof TablePropertiesSchema>): TableSpec {
  const ttl = p.TimeToLiveSpecification;
  return {
    logicalId,
    tableName: p.TableName,
    billingMode: p.BillingMode,
    attributeDefinitions: p.AttributeDefinitions,
    keySchema: p.KeySchema,
    globalSecondaryIndexes: p.GlobalSecondaryIndexes,
    localSecondaryIndexes: p.LocalSecondaryIndexes,
    ...(p.ProvisionedThroughput ? { provisionedThroughput: p.ProvisionedThroughput } : {}),
    ...(ttl?.Enabled ? { timeToLiveAttribute: ttl.AttributeName } : {}),
  };
}

function toQueueSpec(logicalId: string, p: z.infer<typeof QueuePropertiesSchema>): QueueSpec {
  const { QueueName, RedrivePolicy, ...rest } = p;
  const attributes = Object.fromEntries(
    Object.entries(rest)
      .filter(([key]) => key !== 'Tags')
      .map(([key, value]) => [key, String(value)]),
  );
  return {
    logicalId,
    queueName: QueueName,
    attributes,
    ...(RedrivePolicy
      ? {
          deadLetter: {
            targetLogicalId: RedrivePolicy.deadLetterTargetArn,
            maxReceiveCount: RedrivePolicy.maxReceiveCount,
          },
        }
      : {}),
  };
}

function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  source: string,
  at: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: [at, ...i.path.map(String)].filter((s) => s !== '').join('.'),
    message: i.message,
  }));
  throw new ValidationError(`${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues, {
    source,
  });
}
