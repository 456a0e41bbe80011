export type {
  FakeAlpacaOptions,
  FakeAsset,
  FakeCalendarDay,
  FakeDailyBar,
  FakeFault,
  FakeMarketDataFault,
  FakeMarketDataOptions,
  FakeMarketDataRequest,
  FakeMarketDataRoute,
  FakeReply,
  FakeRoute,
  FakeWorld,
  RecordedRequest,
} from './alpaca';
export { FakeAlpacaServer, FakeAlpacaState, FakeMarketDataServer, fakeDailyBar, fastTime } from './alpaca';
export type { TestBucket } from './bucket';
export { createTestBucket } from './bucket';
export { TEST_CREDENTIALS, TEST_REGION, testDynamo, testS3, testSqs } from './clients';
export type { TestDefinitions } from './definitions';
export { testDefinitions } from './definitions';
export { StackNotRunningError } from './environment';
export type { FakeSsmServer } from './fake-ssm-server';
export { startFakeSsm } from './fake-ssm-server';
export { testLambdaContext } from './lambda-context';
export { uniqueName } from './names';
export type { TestQueue, TestQueues } from './queues';
export { createTestQueues } from './queues';
export type { TestTable } from './table';
export { createTestTable } from './table';
