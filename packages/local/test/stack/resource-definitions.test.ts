import { ValidationError } from '@books/core';
import { loadResourceDefinitions, resourceDefinitionsFromYaml } from '../../src/stack';

describe('resource definitions read from serverless.yml', () => {
  const dev = loadResourceDefinitions({ stage: 'dev' });

  it('names the ledger table and queues for the stage, as the deploy does', () => {
    expect(dev.tables.map((t) => t.tableName)).toEqual(['strategy-books-dev-ledger']);
    // The notifier's dead-letter queue holds the bus's deliveries it could not take.
    expect(dev.queues.map((q) => q.queueName).sort()).toEqual([
      'strategy-books-dev-execution',
      'strategy-books-dev-execution-dlq',
      'strategy-books-dev-notifier-dlq',
    ]);
  });

  it('keeps the ledger keys, GSI1, billing mode and TTL attribute', () => {
    const ledger = dev.tables[0];
    expect(ledger?.keySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(ledger?.globalSecondaryIndexes).toEqual([
      {
        IndexName: 'GSI1',
        KeySchema: [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(ledger?.billingMode).toBe('PAY_PER_REQUEST');
    expect(ledger?.timeToLiveAttribute).toBe('expiresAtEpochSeconds');
  });

  it('resolves the redrive target to the dead-letter queue and the receive count param to a number', () => {
    const execution = dev.queues.find((q) => q.logicalId === 'ExecutionQueue');
    expect(execution?.deadLetter).toEqual({
      targetLogicalId: 'ExecutionDeadLetterQueue',
      maxReceiveCount: 5,
    });
    expect(execution?.attributes).toEqual({ VisibilityTimeout: '720', MessageRetentionPeriod: '345600' });
  });

  const yaml = (resources: string, params = '') => `
service: svc
params:
  default:
    count: 3
    name: base-\${sls:stage}
${params}
resources:
  Resources:
${resources}`;

  it('lets a stage param override the default and nests variables', () => {
    const text = yaml(
      `    Q:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: \${self:service}-\${param:name}
        DelaySeconds: \${param:count}`,
      '  prod:\n    count: 7',
    );
    const prod = resourceDefinitionsFromYaml(text, { stage: 'prod' });
    expect(prod.queues[0]).toEqual({
      logicalId: 'Q',
      queueName: 'svc-base-prod',
      attributes: { DelaySeconds: '7' },
    });
    expect(resourceDefinitionsFromYaml(text, { stage: 'dev' }).queues[0]?.attributes).toEqual({
      DelaySeconds: '3',
    });
  });

  it('uses a quoted fallback when a variable has no value', () => {
    const text = yaml(
      `    Q:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: q-\${param:missing, 'fallback'}`,
    );
    expect(resourceDefinitionsFromYaml(text, { stage: 'dev' }).queues[0]?.queueName).toBe('q-fallback');
  });

  it('reads short-form intrinsics such as !GetAtt in a redrive policy', () => {
    const text = yaml(
      `    Q:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: q
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt D.Arn
          maxReceiveCount: 2
    D:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: d`,
    );
    expect(resourceDefinitionsFromYaml(text, { stage: 'dev' }).queues[0]?.deadLetter).toEqual({
      targetLogicalId: 'D',
      maxReceiveCount: 2,
    });
  });

  it('rejects a variable it cannot resolve, naming where it is', () => {
    const text = yaml(
      `    Q:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: q-\${param:nope}`,
    );
    expect(() => resourceDefinitionsFromYaml(text, { stage: 'dev' })).toThrow(ValidationError);
    expect(() => resourceDefinitionsFromYaml(text, { stage: 'dev' })).toThrow(
      /resources\.Resources\.Q\.Properties\.QueueName/,
    );
  });

  it('rejects a redrive to a queue the file does not declare', () => {
    const text = yaml(
      `    Q:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: q
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Nope, Arn] }, maxReceiveCount: 2 }`,
    );
    expect(() => resourceDefinitionsFromYaml(text, { stage: 'dev' })).toThrow(/redrives to Nope/);
  });

  it('rejects a table without a name', () => {
    const text = yaml(
      `    T:
      Type: AWS::DynamoDB::Table
      Properties:
        AttributeDefinitions: [{ AttributeName: PK, AttributeType: S }]
        KeySchema: [{ AttributeName: PK, KeyType: HASH }]`,
    );
    expect(() => resourceDefinitionsFromYaml(text, { stage: 'dev' })).toThrow(/TableName/);
  });
});
