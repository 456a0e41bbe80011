import type { StateMachineEvent } from './state-machine-runner';

/**
 * Step Functions fails an execution whose state input or output (a Task's result, a Map's
 * collected results, the execution's input and output) exceeds 256 KiB of UTF-8 JSON.
 */
export const STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES = 256 * 1024;

export interface PayloadSize {
  /** `StateName input|output`, or `execution input|output`. */
  readonly where: string;
  readonly bytes: number;
}

/**
 * Watches an execution's history (`runStateMachine`'s observer) and keeps the largest payload each
 * state received or produced, as Step Functions measures it: the UTF-8 length of its JSON text.
 */
export class StatePayloadMeter {
  private readonly largest = new Map<string, number>();

  readonly onEvent = (event: StateMachineEvent): void => {
    switch (event.type) {
      case 'ExecutionStarted':
        this.record('execution input', event.input);
        return;
      case 'ExecutionSucceeded':
        this.record('execution output', event.output);
        return;
      case 'StateEntered':
      case 'StateExited':
        this.record(`${event.state.name} input`, event.state.input);
        if (event.state.output !== undefined) this.record(`${event.state.name} output`, event.state.output);
        return;
      default:
        return;
    }
  };

  /** Every measured place, largest first. */
  sizes(): PayloadSize[] {
    return [...this.largest]
      .map(([where, bytes]) => ({ where, bytes }))
      .sort((a, b) => b.bytes - a.bytes || a.where.localeCompare(b.where));
  }

  /** The largest payload of the execution (zero bytes before any event). */
  max(): PayloadSize {
    return this.sizes()[0] ?? { where: 'nothing measured', bytes: 0 };
  }

  private record(where: string, payload: unknown): void {
    const bytes = Buffer.byteLength(JSON.stringify(payload ?? null), 'utf8');
    if (bytes > (this.largest.get(where) ?? -1)) this.largest.set(where, bytes);
  }
}
