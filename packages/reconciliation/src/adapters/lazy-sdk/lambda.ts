/** What the reconciliation requester uses of the Lambda SDK: imported at its first request. */
export { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
