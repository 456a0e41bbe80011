// The key provider and request budget of the shared Alpaca transport, for whoever builds an AlpacaBroker.
export {
  AlpacaKeys,
  type BudgetWindowStore,
  envKeyProvider,
  InProcessRequestBudget,
  type KeyProvider,
  keyProviderFor,
  LatestTradeFeedSchema,
  type RequestBudget,
  realSleep,
  SharedRequestBudget,
  type Sleep,
  ssmKeyProvider,
} from '@books/alpaca';
export * from './activities';
export * from './alpaca/alpaca-broker';
export * from './alpaca/config';
export * from './calendar';
export * from './errors';
export { CorruptPaperState } from './paper/codec';
export * from './paper/corporate-actions';
export * from './paper/dynamodb-store';
export * from './paper/faults';
export * from './paper/memory-store';
export * from './paper/paper-broker';
export type { PaperFees } from './paper/pricing';
export * from './paper/records';
export * from './paper/sources';
export * from './paper/store';
export * from './port';
