export { type InProcessService, inProcessDynamoDbClient, inProcessSqsClient } from './clients';
export { InMemoryDynamoDb, TTL_DELETE_MARGIN_MS } from './dynamodb/memory-dynamodb';
export { InMemorySqs } from './sqs/memory-sqs';
