export type { FakeActivityRow } from './fake-activities';
export { FakeActivities } from './fake-activities';
export type { FakeAlpacaOptions, FakeFault, FakeRoute, RecordedRequest } from './fake-alpaca-server';
export { FakeAlpacaServer } from './fake-alpaca-server';
export type {
  FakeAsset,
  FakeCalendarDay,
  FakeOrderPolicy,
  FakeOrderScript,
  FakeOrderStep,
  FakeReply,
  FakeWorld,
} from './fake-alpaca-state';
export { FakeAlpacaState } from './fake-alpaca-state';
export type {
  FakeDailyBar,
  FakeMarketDataFault,
  FakeMarketDataOptions,
  FakeMarketDataRequest,
  FakeMarketDataRoute,
} from './fake-market-data';
export { FakeMarketDataServer, fakeDailyBar } from './fake-market-data';
export { fastTime } from './fast-time';
export { AlpacaContract, alpacaSpecPresent } from './openapi-contract';
export type { FakeRateLimit, RateLimitFigures, RateWindowFigures } from './rate-limit-counter';
