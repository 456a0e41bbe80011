export { type InProcessService, inProcessDynamoDbClient, inProcessSqsClient } from './clients';
export { InMemoryDynamoDb } from './dynamodb/memory-dynamodb';
export { InMemorySqs } from './sqs/memory-sqs';
