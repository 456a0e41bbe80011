import type { Command } from 'commander';
import { registerAdjust } from './adjust';
import { registerDev } from './dev';
import { registerDlq } from './dlq';
import { registerEval } from './eval';
import { registerFlows } from './flows';
import { registerImport } from './import';
import { registerMigrate } from './migrate';
import { registerPnl } from './pnl';
import { registerPositions } from './positions';
import { registerReconcile } from './reconcile';
import { registerRecover } from './recover';
import { registerReplay } from './replay';
import { registerReport } from './report';
import { registerRun } from './run';
import { registerRuns } from './runs';
import { registerShadowReport } from './shadow-report';
import { registerStack } from './stack';
import { registerTrades } from './trades';

/** Registers one subcommand on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every subcommand, in the order `books --help` lists them. */
export const commands: readonly RegisterCommand[] = [
  registerRun,
  registerDev,
  registerReplay,
  registerReport,
  registerEval,
  registerImport,
  registerStack,
  registerPositions,
  registerPnl,
  registerTrades,
  registerRuns,
  registerReconcile,
  registerRecover,
  registerDlq,
  registerAdjust,
  registerFlows,
  registerMigrate,
  registerShadowReport,
];
