// `npm start`: the local platform on embedded stores. Log and metric defaults are set before any
// handler is built, because Powertools reads them when its Logger and Metrics are constructed.
import './shims/promise-with-resolvers';

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// The local platform runs on Node 20 by design; the SDK's Node 22 notice is for cloud deployments.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { loadLocalConfig } = await import('./config');
const { parseWebhookUrls } = await import('./notifications/webhook-urls');
const { startLocalPlatform } = await import('./platform');
const { systemClock } = await import('../lambdas/shared/ports/clock');

const config = loadLocalConfig(process.env, parseWebhookUrls);
const platform = await startLocalPlatform(config, systemClock);
console.log(`MLOps platform (local) listening on ${platform.url}`);
console.log(`  data: ${platform.home}   API description: ${platform.url}/openapi.json   stop: Ctrl-C`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received, stopping…`);
  await platform.close();
  console.log('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
