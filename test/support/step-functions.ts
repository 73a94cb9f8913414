/** The selftest state machine and the Lambda ARNs its placeholders take, for the local runner's tests. */
export const SELFTEST = new URL('../../statemachines/selftest.asl.json', import.meta.url).pathname;

export const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

export const SUBSTITUTIONS = {
  WorkFunctionArn: arn('work'),
  SquareFunctionArn: arn('square'),
  RecordFailureFunctionArn: arn('record-failure'),
};
