import type { Clock } from '@books/core';
import type { ControlChange } from '@books/ledger-client';
import { applyControl, type ControlCommand, configOf } from '@books/runtime';
import type { Stage } from '../stage/stage';

export type StageControlOutcome =
  | { readonly kind: 'applied'; readonly change: ControlChange }
  /** The command names a strategy the stage's configuration does not have: nothing changed. */
  | { readonly kind: 'unknown-strategy'; readonly strategyId: string };

/**
 * A trader control (pause, resume, liquidate, halt, resume the account; core/controls.ts) applied
 * to the stage's controls store and recorded in its ledger with who (the Stage's caller identity),
 * when and why.
 */
export async function applyStageControl(
  stage: Stage,
  /** The command, given who asks (the Stage's caller identity). */
  commandBy: (by: string) => ControlCommand,
  deps: { readonly clock: Clock; readonly newId: () => string },
): Promise<StageControlOutcome> {
  const command = commandBy(await stage.callerIdentity());
  if (
    'strategyId' in command &&
    !configOf(stage.services).strategies.some((s) => s.id === command.strategyId)
  )
    return { kind: 'unknown-strategy', strategyId: command.strategyId };
  const change = await applyControl(
    { store: stage.services.controls, ledger: stage.services.controlLedger, ...deps },
    command,
  );
  return { kind: 'applied', change };
}
