/**
 * The SDK modules of the AWS clients a function may not call on its first invocation (SQS: only
 * when execution releases held BUYs; EventBridge: only when a run has events to publish), loaded on
 * their first use rather than at the function's module load.
 *
 * Contract: no module of a Lambda bundle imports `@aws-sdk/client-sqs` or
 * `@aws-sdk/client-eventbridge` statically, other than as types (nor reconciliation's requester
 * `@aws-sdk/client-lambda`); their values come from `lazy-sdk/` modules. A module reached only
 * through `require` is wrapped by esbuild and its top level (the client's schemas, its error
 * classes and registries: ~7-16 ms of a cold start each) runs on its first `require`. A lazy-sdk
 * module names only the client and the commands the stage sends, and scripts/esbuild-plugins.cjs
 * bundles each from its own SDK module, so the bundle still holds only these (wrapped, the SDK's
 * index would keep every command). scripts/test/lazy-sdk.test.ts checks both on the bundles.
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
