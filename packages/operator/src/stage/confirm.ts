import { createInterface } from 'node:readline/promises';
import type { Stage } from './stage';

/** How a mutating command asks the operator (a terminal prompt; tests answer themselves). */
export type Ask = (question: string) => Promise<string>;

export const terminalAsk: Ask = async (question) => {
  if (!process.stdin.isTTY) return '';
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
};

/**
 * Before a command changes anything on a stage whose broker trades real money: asks, unless
 * `--yes` was given (scripts); without a terminal and without `--yes`, refuses. Then logs, on
 * stderr, who (STS GetCallerIdentity) is about to do what. True when the command may go on.
 */
export async function confirmMutation(
  stage: Stage,
  what: string,
  options: { readonly yes: boolean; readonly ask?: Ask; readonly log: (line: string) => void },
): Promise<boolean> {
  if (!stage.liveMoney) return true;
  const caller = await stage.callerIdentity();
  if (!options.yes) {
    const answer = await (options.ask ?? terminalAsk)(
      `stage ${stage.stage} trades REAL MONEY (Alpaca live). ${what}\nType the stage name to go on: `,
    );
    if (answer.trim() !== stage.stage) {
      options.log(`books: not confirmed; nothing done on ${stage.stage} (give --yes in a script)\n`);
      return false;
    }
  }
  options.log(`books: ${new Date().toISOString()} ${caller} on live stage ${stage.stage}: ${what}\n`);
  return true;
}

/**
 * A mutating command's CLI wrapper: confirmMutation first (exit 2 when not confirmed), then the
 * command, then — on a live stage — its outcome logged with the caller's identity.
 */
export async function mutating(
  stage: Stage,
  what: string,
  yes: boolean,
  run: () => Promise<number>,
  log: (line: string) => void = (line) => process.stderr.write(line),
): Promise<number> {
  if (!(await confirmMutation(stage, what, { yes, log }))) return 2;
  const code = await run();
  if (stage.liveMoney)
    log(
      `books: ${new Date().toISOString()} ${await stage.callerIdentity()} on live stage ${stage.stage}: ${what}: exit ${code}\n`,
    );
  return code;
}
