import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Replaces `@aws-sdk/credential-provider-node` in Lambda bundles only (an esbuild alias in
 * lib/constructs/platform-function.ts). Lambda always hands a function its role's credentials in
 * environment variables, so the rest of the default chain (SSO, INI files, STS web identity, IMDS)
 * can never answer there — yet it cost 134 KB of every bundle and about 14 ms of cold start
 * (bench/cold-start.ts). The local platform and the CLI keep the full chain.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
