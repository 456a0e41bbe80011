/** What the stage's event publisher uses of the EventBridge SDK: loaded on first use (see ../lazy-sdk.ts). */
export { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
