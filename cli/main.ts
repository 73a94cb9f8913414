import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
// Only the version: the route tables and zod stay out of the CLI's start-up.
import { API_VERSION } from '../lambdas/api-version';
import { ApiClient, DEFAULT_API_URL } from './api-client';
import { registerDriftCommands } from './commands/drift';
import { registerEndpointCommands } from './commands/endpoints';
import { registerFeatureCommands } from './commands/features';
import { registerModelCommands } from './commands/models';
import { registerMonitorCommands } from './commands/monitors';
import { registerPipelineCommands } from './commands/pipelines';
import { registerPlatformCommands } from './commands/platform';
import { registerRunCommands } from './commands/runs';
import type { CliContext } from './context';
import { reportError } from './output';

interface GlobalOptions {
  readonly api: string;
  readonly json: boolean;
  readonly region?: string;
  readonly actor?: string;
}

const localUser = (): string => {
  try {
    return userInfo().username;
  } catch {
    return 'anonymous';
  }
};

/** Builds the `mlops` program; env is a parameter so tests run it in-process. */
export const buildProgram = (env: Readonly<Record<string, string | undefined>> = process.env): Command => {
  const program = new Command('mlops')
    .description(
      'MLOps platform CLI: the local platform by default, a deployed API with --api (SigV4-signed).',
    )
    .version(API_VERSION)
    .addOption(new Option('--api <url>', 'API base URL').default(env.MLOPS_API_URL ?? DEFAULT_API_URL))
    .addOption(new Option('--region <region>', 'AWS region for SigV4 (default: from the API host)'))
    .addOption(
      new Option(
        '--actor <name>',
        'who you are to the local platform (a deployed API uses your IAM identity)',
      ).default(env.MLOPS_ACTOR ?? localUser()),
    )
    .option('--json', 'print machine-readable JSON', false)
    .showHelpAfterError();

  const context: CliContext = () => {
    const options = program.opts<GlobalOptions>();
    return {
      api: new ApiClient({ baseUrl: options.api, region: options.region, actor: options.actor }),
      options,
    };
  };
  registerPlatformCommands(program, context);
  registerModelCommands(program, context);
  registerRunCommands(program, context);
  registerFeatureCommands(program, context);
  registerDriftCommands(program, context);
  registerMonitorCommands(program, context);
  registerPipelineCommands(program, context);
  registerEndpointCommands(program, context);
  return program;
};

/** Runs the CLI and returns its exit code. */
export const runCli = async (argv: readonly string[], env = process.env): Promise<number> => {
  const program = buildProgram(env).exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1;
    }
    return reportError(error, program.opts<GlobalOptions>().json);
  }
};
