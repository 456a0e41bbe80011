import { authorCommands } from './author';
import type { CommandModule } from './module';

export type { CommandModule, RegisterCommand } from './module';

/**
 * Every subcommand's module, in the order `books --help` lists them. A module is imported only
 * when one of its commands runs (see runCli), so a command loads only what it needs.
 */
export const commands: readonly CommandModule[] = [
  { names: ['run', 'start'], load: async () => (await import('./run')).registerRun },
  { names: ['dev'], load: async () => (await import('./dev')).registerDev },
  { names: ['replay'], load: async () => (await import('./replay')).registerReplay },
  { names: ['backtest'], load: async () => (await import('./backtest')).registerBacktest },
  { names: ['report'], load: async () => (await import('./report')).registerReport },
  ...authorCommands,
  { names: ['stack'], load: async () => (await import('./stack')).registerStack },
  { names: ['positions'], load: async () => (await import('./positions')).registerPositions },
  { names: ['pnl'], load: async () => (await import('./pnl')).registerPnl },
  { names: ['trades'], load: async () => (await import('./trades')).registerTrades },
  { names: ['runs'], load: async () => (await import('./runs')).registerRuns },
  { names: ['explain'], load: async () => (await import('./explain')).registerExplain },
  { names: ['reconcile'], load: async () => (await import('./reconcile')).registerReconcile },
  { names: ['recover'], load: async () => (await import('./recover')).registerRecover },
  { names: ['dlq'], load: async () => (await import('./dlq')).registerDlq },
  { names: ['adjust'], load: async () => (await import('./adjust')).registerAdjust },
  { names: ['activities'], load: async () => (await import('./activities')).registerActivities },
  { names: ['flows'], load: async () => (await import('./flows')).registerFlows },
  { names: ['status'], load: async () => (await import('./status')).registerStatus },
  {
    names: ['pause', 'resume', 'liquidate', 'halt'],
    load: async () => (await import('./controls')).registerControls,
  },
  { names: ['migrate'], load: async () => (await import('./migrate')).registerMigrate },
  { names: ['shadow-report'], load: async () => (await import('./shadow-report')).registerShadowReport },
];
