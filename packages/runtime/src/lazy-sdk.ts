/**
 * The SDK modules of the AWS clients a function may not call on its first invocation (SQS: only
 * when execution releases held BUYs; EventBridge: only when a run has events to publish), loaded on
 * their first use rather than at the function's module load.
 *
 * Contract: no module of a Lambda bundle imports `@aws-sdk/client-sqs` or
 * `@aws-sdk/client-eventbridge` statically, other than as types; their values come from here. A
 * module reached only through `require` is wrapped by esbuild and its top level (the client's
 * schemas, its error classes and registries: ~7-10 ms each at a cold start) runs on its first
 * `require`. The required modules are ours and import only the client and the commands the stage
 * sends, so the bundle still holds only these (a `require` of the SDK's index would keep all of it).
 *
 * A `require` because the clients are made synchronously (AwsClients' getters); typed by the
 * return type of each loader, since `require` itself returns an untyped value.
 */
export function sqsSdk(): typeof import('./lazy-sdk/sqs') {
  return require('./lazy-sdk/sqs');
}

export function eventBridgeSdk(): typeof import('./lazy-sdk/eventbridge') {
  return require('./lazy-sdk/eventbridge');
}
