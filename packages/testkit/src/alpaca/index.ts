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
export { AlpacaContract, alpacaSpecPresent } from './openapi-contract';
