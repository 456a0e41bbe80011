import type { StageEvent } from './contracts';

/**
 * Where a stage's events go: the stage's EventBridge bus when deployed, the in-process bus on the
 * embedded stage. An event is sent as JSON (`JSON.stringify`: decimals
 * as strings). `publish` resolves once every event is accepted, and throws otherwise (whole or
 * in part): the caller's retry publishes the same events, with the same ids, again.
 */
export interface EventPublisher {
  publish(events: readonly StageEvent[]): Promise<void>;
}

/** A stage with no bus configured: events are dropped (their facts stay in the ledger). */
export const noEventPublisher: EventPublisher = {
  publish: async () => {},
};
