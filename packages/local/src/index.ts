/** @books/local: the embedded stack, the dev loop, days run in one process or from packaged artifacts. */
export type {
  DailyCycleArgs,
  DailyCycleEvent,
  DailyCycleOutcome,
  DailyCycleRejection,
  Refusal,
} from './daily-run/daily-cycle';
export { runDailyCycle } from './daily-run/daily-cycle';
export type { DayReport } from './daily-run/day-report';
export { dayReport, formatDayReport } from './daily-run/day-report';
export type { InjectionHooks, LocalFunctionName, LocalWorldOptions } from './daily-run/local-world';
export { LocalWorld } from './daily-run/local-world';
export { drainQueue } from './daily-run/queue-poller';
export { REFUSED, refusalOf } from './daily-run/refusal';
export type { SampleBarsGenerated } from './daily-run/sample-days';
export {
  ensureSampleBars,
  FIRST_SIMULATED_DAY,
  nextRunDay,
  readRunCursor,
  runCursorFile,
  SAMPLE_FIRST_DAY,
  SAMPLE_LAST_DAY,
  sampleBars,
  sampleCalendar,
  writeRunCursor,
} from './daily-run/sample-days';
export type { DevLoopEvent, DevLoopOptions, DevLoopOutcome } from './dev/dev-loop';
export { runDevLoop } from './dev/dev-loop';
export { DEFAULT_LAMBDA_PORT, offlineLambdaEndpoint } from './dev/offline-lambda';
export { answers } from './dev/offline-server';
export { runDayViaOffline } from './dev/run-via-offline';
export * from './stack';
export { parseCloudFormationYaml } from './stack/cloudformation-yaml';
