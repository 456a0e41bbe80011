import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';

/** DynamoDB's ValidationException (not a modelled class in the SDK: a service exception by name). */
export function validation(message: string): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name: 'ValidationException',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

/** What the in-process table does not implement: a clear error, never an approximation. */
export function unsupported(what: string): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name: 'UnsupportedOperation',
    $fault: 'client',
    message: `the in-process DynamoDB does not implement ${what}`,
    $metadata: { httpStatusCode: 400 },
  });
}
