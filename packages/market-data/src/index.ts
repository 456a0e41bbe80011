export {
  ALPACA_DATA_URL,
  AlpacaBarsClient,
  type AlpacaBarsClientDeps,
  type AlpacaDataConfig,
  type AlpacaDataConfigInput,
  AlpacaDataConfigSchema,
} from './alpaca-bars-client';
export {
  type Bar,
  BarFileError,
  type BarStore,
  barsUntil,
  closingPrices,
  fileStemOf,
  symbolOfStem,
} from './bar-store';
export {
  actionsOn,
  type CashEvent,
  CORPORATE_ACTIONS_FILE,
  type CorporateActions,
  CorporateActionsSchema,
  type CorporateActionsSource,
  type DividendAction,
  formatCorporateActions,
  hasCorporateActions,
  NO_CORPORATE_ACTIONS,
  parseCorporateActions,
  type SplitAction,
  splitAdjusted,
  splitAdjustedBars,
  splitsOf,
} from './corporate-actions';
export { CSV_HEADER, CsvBarStore, parseBarsCsv } from './csv-bar-store';
export { barOfRow } from './daily-bar-row';
export {
  DEFAULT_HISTORY_START,
  DEFAULT_OVERLAP_BARS,
  type RefreshBarsInput,
  type RefreshOutcome,
  type RefreshReport,
  type RejectedRow,
  refreshBars,
  type SymbolRefresh,
} from './data-refresh';
export {
  type DataRefreshDeps,
  type DataRefreshEnv,
  DataRefreshFailed,
  type DataRefreshSummary,
  dataRefreshFunction,
  dataRefreshKeys,
  parseDataRefreshEnv,
} from './data-refresh-function';
export { formatBarsCsv } from './format-bars-csv';
export type { DailyBarRow, LatestTrade, MarketDataClient } from './market-data-client';
export {
  MalformedMarketData,
  MarketDataRateLimited,
  MarketDataRequestError,
  MarketDataUnavailable,
} from './market-data-errors';
export { withProvisionalBar } from './provisional-bar';
export { type S3BarCommands, S3BarStore, type S3BarStoreOptions } from './s3-bar-store';
export {
  generateSampleBars,
  SAMPLE_CORPORATE_ACTIONS,
  SAMPLE_SYMBOLS,
  type SampleSymbol,
  sampleCorporateActions,
  sampleTradingDays,
} from './sample-bars';
export type { WritableBarStore } from './writable-bar-store';
