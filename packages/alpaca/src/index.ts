export {
  type BudgetWindow,
  exhaustedUntil,
  REMAINING_FLOOR,
  retryAt,
  WINDOW_MS,
  type WindowRefusal,
  windowAt,
  windowsUntil,
} from './budget-window';
export {
  ALPACA_DATA_URL,
  ALPACA_LIVE_URL,
  ALPACA_PAPER_URL,
  BaseUrlSchema,
  DAILY_BARS_FEED,
  type HttpPolicy,
  type LatestTradeFeed,
  LatestTradeFeedSchema,
} from './config';
export { AlpacaKeysUnavailable, AlpacaRateLimited, AlpacaUnavailable } from './errors';
export { AlpacaHttp, type AlpacaHttpDeps, type HttpResponse, type RetryMode } from './http';
export {
  AlpacaKeys,
  alpacaKeyParameters,
  ENV_KEY_ID,
  ENV_SECRET_KEY,
  envKeyProvider,
  type GetParameterCommandClass,
  type KeyProvider,
  type KeySource,
  KeySourceSchema,
  keyProviderFor,
  keySourceOf,
  type SsmParameterClient,
  ssmKeyProvider,
} from './keys';
export { JsonNumber, JsonSyntaxError, type JsonValue, parseJsonLossless } from './lossless-json';
export { InProcessRequestBudget, type RequestBudget } from './request-budget';
export {
  type BudgetWindowStore,
  SharedRequestBudget,
  type SharedRequestBudgetOptions,
} from './shared-request-budget';
export { realSleep, type Sleep } from './sleep';
export { fromAlpacaSymbol, requestedByAlpacaSymbol, toAlpacaSymbol } from './symbols';
