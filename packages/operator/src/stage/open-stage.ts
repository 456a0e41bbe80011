import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@books/core';
import { workspaceRoot } from '@books/local';
import { withLocalQueries } from '../queries/local-session';
import { type AwsAccess, type DeployedStage, openDeployedStage } from './deployed-stage';
import type { Stage } from './stage';

/** Stages that live on this machine (the embedded stack); every other stage name is a deployed one. */
export const EMBEDDED_STAGES: readonly string[] = ['local', 'replay'];

export function stageKindOf(name: string): Stage['kind'] {
  return EMBEDDED_STAGES.includes(name) ? 'embedded' : 'deployed';
}

export interface OpenStageOptions {
  /** A deployed stage's AWS access (tests); default: the SDK's credential and region chains. */
  readonly aws?: AwsAccess;
  readonly alpacaUrls?: { readonly tradingUrl: string; readonly dataUrl: string };
}

/**
 * Runs `work` on the named stage: `local` and `replay` on the embedded stack (started, or reused,
 * as `books stack` does), any other name on the stage deployed with `sls deploy --stage <name>`,
 * reached through its CloudFormation stack without creating anything there.
 */
export async function withStage<T>(
  name: string,
  work: (stage: Stage) => Promise<T>,
  options: OpenStageOptions = {},
): Promise<T> {
  if (stageKindOf(name) === 'embedded')
    return withLocalQueries(name, (ctx) =>
      work({
        ...ctx,
        kind: 'embedded',
        liveMoney: false,
        callerIdentity: async () => userInfo().username,
        close: () => undefined,
      }),
    );
  const stage = await openDeployed(name, options);
  try {
    return await work(stage);
  } finally {
    stage.close();
  }
}

/** A deployed stage, opened by reading its stack (see openDeployedStage). */
export function openDeployed(name: string, options: OpenStageOptions = {}): Promise<DeployedStage> {
  return openDeployedStage(name, {
    strategiesDir: join(workspaceRoot(), 'strategies'),
    logger: createLogger({ service: 'books-operator' }, { level: 'error', destination: process.stderr }),
    ...(options.aws ? { aws: options.aws } : {}),
    ...(options.alpacaUrls ? { alpacaUrls: options.alpacaUrls } : {}),
  });
}
