import { type OrderRequest, PaperBroker } from '@books/broker';
import { Money, RunId, runIdOf as runIdOfStage, type StrategyId, TradingDate } from '@books/core';
import type { ExecutionOptions } from '@books/execution';
import type { Services } from '@books/runtime';
import type { InjectionHooks, LocalWorld, LocalWorldOptions } from '../../../src/daily-run/local-world';
import { checkInvariants, openWorld } from '../../e2e/support';
import { InterceptedBroker } from './faulty-broker';
import { Seeded, scenarioSeed } from './seeded';

export const INITIAL_CASH = Money.parse('100000');

/** Execution's waits (fill polling, symbol-lock backoff) at 1/50 of real time: same order of events, bounded run time. */
export const FAST_EXECUTION: ExecutionOptions = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.ceil(ms / 50))),
};

/** One seeded fault scenario on its own stage of the embedded stack. */
export interface Scenario {
  readonly world: LocalWorld;
  readonly random: Seeded;
  readonly seed: number;
  /** The runs of the days played so far, whose planned trades must all end final. */
  readonly runIds: RunId[];
  /** Every order the broker accepted, from any function: each must be a planned trade. */
  readonly placed: OrderRequest[];
}

export interface ScenarioOptions {
  /** Builds the injection hooks from the scenario's generator (so faults follow the seed). */
  readonly inject?: (random: Seeded) => InjectionHooks;
  readonly world?: Partial<
    Pick<LocalWorldOptions, 'strategiesDir' | 'configFile' | 'broker' | 'flowFlagsFile'>
  >;
  readonly strategyIds?: readonly StrategyId[];
}

export async function openScenario(
  prefix: string,
  defaultSeed: number,
  options: ScenarioOptions = {},
): Promise<Scenario> {
  const seed = scenarioSeed(defaultSeed);
  const random = new Seeded(seed);
  const hooks = options.inject?.(random) ?? {};
  const placed: OrderRequest[] = [];
  // Orders are recorded as the broker accepts them, before any injected fault sees the answer.
  const recording = (services: Services): Services => ({
    ...services,
    broker: new InterceptedBroker(services.broker, { afterPlace: (request) => placed.push(request) }),
  });
  const world = await openWorld(prefix, {
    ...options.world,
    inject: {
      ...hooks,
      services: (fn, services) => (hooks.services ?? ((_, s) => s))(fn, recording(services)),
      execution: { ...FAST_EXECUTION, ...hooks.execution },
    },
  });
  return { world, random, seed, runIds: [], placed };
}

export function runIdOf(world: LocalWorld, day: TradingDate): RunId {
  return runIdOfStage(world.services.env.BOOKS_STAGE, day);
}

/** Records the day's run as one whose trades must all end final. */
export function played(s: Scenario, day: TradingDate): RunId {
  const runId = runIdOf(s.world, day);
  if (!s.runIds.includes(runId)) s.runIds.push(runId);
  return runId;
}

/**
 * The shared invariants (see checkInvariants) over every run played; a failure shows the seed to
 * replay it with (FAULT_SEED=<seed>) and what was being checked.
 */
export async function expectInvariants(
  s: Scenario,
  label: string,
  strategyIds?: readonly StrategyId[],
): Promise<void> {
  const problems = await checkInvariants(s.world.services, INITIAL_CASH, {
    runIds: s.runIds,
    placedOrders: s.placed,
    ...(strategyIds ? { strategyIds } : {}),
  });
  expect({ seed: s.seed, after: label, problems }).toEqual({ seed: s.seed, after: label, problems: [] });
}

export function paperBroker(world: LocalWorld): PaperBroker {
  const broker = world.services.broker;
  if (!(broker instanceof PaperBroker)) throw new Error('the local world trades with the simulated broker');
  return broker;
}

/**
 * Sample days on which the example strategies trade (skipping the quiet days between them, as a
 * system that was off would): the funding day's BUYs, then rebalances whose SELLs hold BUYs back.
 */
export const ACTIVE_DAYS: readonly TradingDate[] = [
  '2024-09-16',
  '2024-09-25',
  '2024-09-27',
  '2024-09-30',
  '2024-10-01',
].map((d) => TradingDate(d));
