import { drawdownRequestId, errorMessage } from '@books/core';
import { ConditionFailedError, type ControlRepository } from '@books/ledger-client';
import { checkDrawdown } from '@books/portfolio';
import type { WorkerControls } from '../ports';

const MARK_ATTEMPTS = 3;

/** Who records a liquidation complete: the system, not an operator. */
const LIQUIDATION_BY = 'system';

/** The worker's controls in the ledger (ControlRepository). */
export class LedgerWorkerControls implements WorkerControls {
  constructor(private readonly repo: ControlRepository) {}

  async markDrawdown(input: Parameters<WorkerControls['markDrawdown']>[0]) {
    for (let attempt = 1; ; attempt++) {
      const previous = await this.repo.drawdown(input.strategyId);
      if (previous?.latched)
        return { latched: true as const, why: `drawdown stop latched at ${previous.latched.at}` };
      // A retry of the run that wrote the mark starts from the mark before it (the transfer once).
      const base = previous?.markedBy === input.runId ? previous.markBefore : previous?.highWaterMark;
      const check = checkDrawdown({
        equity: input.equity,
        ...(base ? { highWaterMark: base } : {}),
        maxDrawdown: input.maxDrawdown,
      });
      const common = { strategyId: input.strategyId, markedAt: input.at, markedBy: input.runId };
      try {
        if (check.breached) {
          const why = `drawdown ${check.drawdown.value.times(100).toDecimalPlaces(2).toFixed()}% from the high-water mark ${check.highWaterMark} (equity ${input.equity}, stop ${input.maxDrawdown.value.times(100).toFixed()}%): ${input.action === 'liquidate' ? 'liquidating' : 'paused'} until books resume`;
          await this.repo.latch(
            {
              ...common,
              highWaterMark: check.highWaterMark,
              ...(base ? { markBefore: base } : {}),
              latched: {
                at: input.at,
                runId: input.runId,
                equity: input.equity,
                highWaterMark: check.highWaterMark,
                action: input.action,
              },
            },
            previous,
            {
              id: drawdownRequestId(input.runId),
              target: input.strategyId,
              action: 'drawdown-stop',
              by: 'strategy-worker',
              at: input.at,
              reason: why,
              runId: input.runId,
            },
          );
          return { latched: true as const, why };
        }
        await this.repo.saveMark(
          {
            ...common,
            highWaterMark: check.highWaterMark.plus(input.transfer),
            ...(base ? { markBefore: base } : {}),
          },
          previous,
        );
        return { latched: false as const };
      } catch (e) {
        if (!(e instanceof ConditionFailedError) || attempt >= MARK_ATTEMPTS)
          throw new Error(`drawdown mark of ${input.strategyId} not written: ${errorMessage(e)}`, {
            cause: e,
          });
      }
    }
  }

  async recordLiquidation(input: Parameters<WorkerControls['recordLiquidation']>[0]): Promise<void> {
    await this.repo.recordLiquidation(input.strategyId, input.requestId, input.runId, {
      id: `liquidated-${input.requestId}`.slice(0, 80),
      target: input.strategyId,
      action: 'liquidated',
      by: LIQUIDATION_BY,
      at: input.at,
      reason: `liquidation complete: run ${input.runId} found ${input.dust.length > 0 ? `only dust no order can sell (${input.dust.join(', ')})` : 'no lot left'} to sell (${input.why}); the book is paused from now on`,
      runId: input.runId,
    });
  }
}
