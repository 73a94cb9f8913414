import { resolve } from 'node:path';
import * as z from 'zod';

export interface LocalConfig {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the folder that holds every byte the local platform stores. */
  readonly home: string;
  readonly webhookUrls: readonly string[];
}

const LocalEnvironment = z.object({
  MLOPS_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  MLOPS_HOST: z.string().min(1).default('127.0.0.1'),
  MLOPS_HOME: z.string().min(1).default('.mlops'),
  MLOPS_WEBHOOK_URLS: z.string().default(''),
});

/** Parses the local platform's environment once, failing with every variable at fault named. */
export const loadLocalConfig = (
  env: Readonly<Record<string, string | undefined>>,
  parseWebhookUrls: (list: string) => string[],
  cwd: string = process.cwd(),
): LocalConfig => {
  const parsed = LocalEnvironment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid environment — ${problems}`);
  }
  return {
    host: parsed.data.MLOPS_HOST,
    port: parsed.data.MLOPS_PORT,
    home: resolve(cwd, parsed.data.MLOPS_HOME),
    webhookUrls: parseWebhookUrls(parsed.data.MLOPS_WEBHOOK_URLS),
  };
};
