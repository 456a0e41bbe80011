export type { FakeActivityRow } from './fake-activities';
export { FakeActivities } from './fake-activities';
export type { FakeAlpacaOptions, FakeFault, FakeRoute, RecordedRequest } from './fake-alpaca-server';
export { FakeAlpacaServer } from './fake-alpaca-server';
export type { FakeAsset, FakeCalendarDay, FakeReply, FakeWorld } from './fake-alpaca-state';
export { FakeAlpacaState } from './fake-alpaca-state';
