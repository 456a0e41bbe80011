import { BooksError } from '@books/core';
import { StateMachine } from 'aws-local-stepfunctions';
import * as z from 'zod';
import type { LocalStateMachine } from './definition';

type Json = Parameters<StateMachine['run']>[0];
type Definition = ConstructorParameters<typeof StateMachine>[0];
/** A function's in-process handler: what the Lambda runtime would call with the state's input. */
export type FunctionHandler = (event: unknown) => Promise<unknown>;
/** One event of an execution's history (state entered/exited with its input and output, …). */
export type StateMachineEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface RunObserver {
  /** Sees every event of the execution's history, in order (a Map's iterations included). */
  readonly onEvent?: (event: StateMachineEvent) => void;
}

const JsonSchema = z.json();

const machines = new WeakMap<LocalStateMachine, StateMachine>();

export interface RunOptions {
  /**
   * Check the definition against the States Language before its first run (default true). Off, it
   * runs as written: for a backtest, whose definition (serverless.yml's) `books run`, replays and
   * the tests check, the check's half second of JSON-schema compiling is spared.
   */
  readonly checkDefinition?: boolean;
}

/**
 * The machine built once per definition: the constructor validates the definition against the
 * States Language (only ARN syntax is relaxed, for the local function ARNs), so the static type is
 * checked at run time here; that validation compiles JSON schemas, too slow to repeat every day.
 */
function compiled(machine: LocalStateMachine, check: boolean): StateMachine {
  let sm = machines.get(machine);
  if (!sm) {
    sm = new StateMachine(machine.definition as unknown as Definition, {
      validationOptions: check ? { checkArn: false } : { noValidate: true },
    });
    machines.set(machine, sm);
  }
  return sm;
}

/**
 * Runs a deployed state machine's definition in process, each Task bound to the in-process handler
 * of the function serverless.yml wires to it. Retries keep their structure but do not wait.
 */
export async function runStateMachine(
  machine: LocalStateMachine,
  handlers: Readonly<Record<string, FunctionHandler>>,
  input: unknown,
  executionId = `local:${Date.now()}`,
  observer: RunObserver = {},
  options: RunOptions = {},
): Promise<unknown> {
  const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [state, fn] of machine.taskFunctions) {
    const handler = handlers[fn];
    if (!handler)
      throw new BooksError('NO_HANDLER', `no local handler for function "${fn}" (Task state ${state})`);
    // Like Lambda, a result must serialise to JSON; toJSON methods (decimals) apply.
    taskResourceLocalHandlers[state] = async (input) =>
      JsonSchema.parse(JSON.parse(JSON.stringify((await handler(input)) ?? null)));
    retryIntervalOverrides[state] = 0;
  }
  const sm = compiled(machine, options.checkDefinition ?? true);
  const json = JsonSchema.parse(input);
  const execution = sm.run(json, {
    context: { Execution: { Id: executionId, Input: json, StartTime: new Date().toISOString() } },
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
  });
  const { onEvent } = observer;
  if (onEvent === undefined) return execution.result;
  const [result] = await Promise.all([
    execution.result,
    (async () => {
      for await (const event of execution.eventLogs) onEvent(event);
    })(),
  ]);
  return result;
}
