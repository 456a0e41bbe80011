import {
  type AccountHalt,
  type BookStanding,
  bookStanding,
  type Clock,
  type StrategyId,
  ValidationError,
} from '@books/core';
import { ACCOUNT_TARGET, type ControlChange, type ControlRepository } from '@books/ledger-client';
import type { ControlsStore } from './controls-store';

/** An operator's change of a trader control (`books pause|resume|liquidate|halt`). */
export type ControlCommand =
  | {
      readonly action: 'pause' | 'liquidate' | 'resume';
      readonly strategyId: StrategyId;
      readonly by: string;
      readonly reason: string;
    }
  | { readonly action: 'halt' | 'resume-account'; readonly by: string; readonly reason: string };

export interface ControlDeps {
  readonly store: ControlsStore;
  readonly ledger: ControlRepository;
  readonly clock: Clock;
  /** The change's id (a random id from the command; also a liquidation's request id). */
  readonly newId: () => string;
}

/**
 * Applies one change: the store first (that is what takes effect), then its record in the ledger
 * (who, when, why). A failure after the store write is reported; the command run again writes the
 * same control and records it (a change is never recorded without having been made).
 * `resume S` that finds the book's drawdown stop latched clears it (latch and high-water mark, so
 * the next run restarts the mark from the book's equity then) with its record; a resume from a
 * plain pause or a done liquidation keeps the high-water mark (ControlRepository.resumeBook).
 */
export async function applyControl(deps: ControlDeps, command: ControlCommand): Promise<ControlChange> {
  if (command.reason.trim() === '')
    throw new ValidationError('a control change needs a reason (--reason)', [
      { path: 'reason', message: 'required' },
    ]);
  const at = deps.clock.now().toISOString();
  const id = deps.newId();
  const note = { by: command.by, at, reason: command.reason };
  const change: ControlChange = {
    id,
    target: 'strategyId' in command ? command.strategyId : ACCOUNT_TARGET,
    action: command.action,
    ...note,
  };
  switch (command.action) {
    case 'pause':
    case 'liquidate':
      await deps.store.setBook(command.strategyId, {
        state: command.action === 'pause' ? 'paused' : 'liquidate',
        id,
        ...note,
      });
      await deps.ledger.recordChange(change);
      return change;
    case 'resume':
      await deps.store.setBook(command.strategyId, undefined);
      await deps.ledger.resumeBook(command.strategyId, change);
      return change;
    case 'halt':
      await deps.store.setHalt({ state: 'halted', ...note });
      await deps.ledger.recordChange(change);
      return change;
    case 'resume-account':
      await deps.store.setHalt(undefined);
      await deps.ledger.recordChange(change);
      return change;
  }
}

export interface Standings {
  readonly halt?: AccountHalt;
  readonly books: ReadonlyMap<StrategyId, BookStanding>;
}

/**
 * Where the account and each book stand for the next run (core `bookStanding`): the controls in
 * force, each book's drawdown latch and whether its asked liquidation is done. Throws when the
 * store cannot be read: the caller fails closed.
 */
export async function readStandings(
  store: Pick<ControlsStore, 'read'>,
  ledger: Pick<ControlRepository, 'drawdowns' | 'liquidation'>,
  strategies: readonly StrategyId[],
): Promise<Standings> {
  const [controls, drawdowns] = await Promise.all([store.read(), ledger.drawdowns(strategies)]);
  const books = new Map<StrategyId, BookStanding>();
  await Promise.all(
    strategies.map(async (sid) => {
      const control = controls.books.get(sid);
      const drawdown = drawdowns.get(sid);
      const latch = drawdown?.latched && {
        at: drawdown.latched.at,
        runId: drawdown.latched.runId,
        equity: drawdown.latched.equity.toString(),
        highWaterMark: drawdown.latched.highWaterMark.toString(),
        action: drawdown.latched.action,
      };
      const first = bookStanding({
        ...(control ? { control } : {}),
        ...(latch ? { latch } : {}),
        liquidated: new Map(),
      });
      const liquidated = new Map<string, string>();
      if (first.kind === 'liquidate') {
        const run = await ledger.liquidation(sid, first.requestId);
        if (run) liquidated.set(first.requestId, run);
      }
      books.set(
        sid,
        bookStanding({ ...(control ? { control } : {}), ...(latch ? { latch } : {}), liquidated }),
      );
    }),
  );
  return { ...(controls.halt ? { halt: controls.halt } : {}), books };
}
