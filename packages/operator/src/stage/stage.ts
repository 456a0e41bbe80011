import type { QueryContext } from '../queries/local-session';

/**
 * The stage an operator command works on: what every command reads (QueryContext) and what it is.
 * `embedded`: the stack on this machine (`books stack`), created on demand. `deployed`: a stage
 * deployed with `sls deploy`, reached through its CloudFormation stack; nothing is ever created there.
 */
export interface Stage extends QueryContext {
  readonly kind: 'embedded' | 'deployed';
  /** Its broker trades real money (Alpaca live): a mutating command asks first. */
  readonly liveMoney: boolean;
  /** The deployed DailyRun state machine (deployed stages only). */
  readonly stateMachineArn?: string;
  /** Who the caller is (STS GetCallerIdentity ARN), for the log of what a mutating command did. */
  callerIdentity(): Promise<string>;
  /** Releases what opening the stage holds (its AWS clients); the embedded stack stops with its session. */
  close(): void;
}
