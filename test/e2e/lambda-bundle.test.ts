import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_BUNDLING } from '../../lib/constructs/platform-function';
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';
import { httpEvent } from '../support/http';

const run = promisify(execFile);

/** Runs the bundle's handler in a fresh Node process, as Lambda would, on each event in turn. */
const INVOKE = `
const { handler } = await import(process.env.BUNDLE);
const out = [];
for (const event of JSON.parse(process.env.EVENTS)) out.push(await handler(event, { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 10000 }));
process.stdout.write(JSON.stringify(out));
`;

/** Answers SNS Publish (AWS query protocol) and records what it was sent. */
const startFakeSns = async () => {
  const published: URLSearchParams[] = [];
  const server: Server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    published.push(new URLSearchParams(body));
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>q-1</RequestId></ResponseMetadata></PublishResponse>',
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    published,
    close: () => new Promise((r) => server.close(r)),
  };
};

/**
 * The platform function exactly as CDK bundles it (PLATFORM_BUNDLING: ESM, minified, SDK bundled,
 * Lambda credential alias), run against DynamoDB Local and a loopback SNS through the SDK's
 * AWS_ENDPOINT_URL_* variables — the cloud path with no code changed.
 */
describe('platform Lambda bundle', () => {
  let work: string;
  let bundle: string;
  let dynamo: DynamoDbLocal;
  let sns: Awaited<ReturnType<typeof startFakeSns>>;
  const table = 'platform-metadata';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mlops-bundle-'));
    bundle = join(work, 'index.mjs');
    [dynamo, sns] = await Promise.all([
      startDynamoDbLocal(),
      startFakeSns(),
      build({ ...PLATFORM_BUNDLING, entryPoints: ['lambdas/platform/handler.ts'], outfile: bundle }),
    ]);
    await dynamo.createMetadataTable(table);
  });
  afterAll(async () => {
    await Promise.all([dynamo?.stop(), sns?.close()]);
    rmSync(work, { recursive: true, force: true });
  });

  const invoke = async (events: unknown[], env: Record<string, string> = {}) => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', INVOKE], {
      env: {
        PATH: process.env.PATH,
        BUNDLE: bundle,
        EVENTS: JSON.stringify(events),
        METADATA_TABLE_NAME: table,
        ARTIFACT_BUCKET_NAME: 'unused-bucket',
        NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:platform-notifications',
        EVENT_BUS_NAME: 'default',
        POWERTOOLS_SERVICE_NAME: 'platform',
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SNS: sns.endpoint,
        ...env,
      },
    });
    return (
      JSON.parse(stdout) as { statusCode: number; body: string; headers?: Record<string, string> }[]
    ).map((r) => ({
      ...r,
      json: r.body ? JSON.parse(r.body) : undefined,
    }));
  };

  it('serves health, publishes to SNS, records in DynamoDB and lists what it recorded', async () => {
    const [health, sent, listed] = await invoke([
      httpEvent('GET /health'),
      httpEvent('POST /notifications/test', { body: JSON.stringify({ message: 'from the bundle' }) }),
      httpEvent('GET /notifications', { queryStringParameters: { limit: '5' } }),
    ]);

    expect(health).toMatchObject({ statusCode: 200, json: { status: 'ok' } });
    expect(sent!.statusCode).toBe(201);
    expect(sns.published.at(-1)?.get('Action')).toBe('Publish');
    expect(sns.published.at(-1)?.get('TopicArn')).toBe(
      'arn:aws:sns:us-east-1:123456789012:platform-notifications',
    );
    expect(JSON.parse(sns.published.at(-1)?.get('Message') ?? '{}')).toMatchObject({
      message: 'from the bundle',
    });
    expect(listed!.json.items).toEqual([
      expect.objectContaining({ message: 'from the bundle', delivered: true }),
    ]);
  });

  it('runs a POST with an Idempotency-Key once, on DynamoDB, and replays it after a cold start', async () => {
    const publishedBefore = sns.published.length;
    const send = (message: string) =>
      httpEvent('POST /notifications/test', {
        body: JSON.stringify({ message }),
        headers: { 'content-type': 'application/json', 'idempotency-key': 'bundle-key-1' },
      });

    const [first, replay, reuse] = await invoke([send('once'), send('once'), send('twice')]);
    const [afterColdStart] = await invoke([send('once')]);

    expect(first!.statusCode).toBe(201);
    expect(replay).toMatchObject({ statusCode: 201, body: first!.body });
    expect(replay!.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(reuse!.json.type).toBe('urn:mlops:problem:idempotency-key-reuse');
    expect(afterColdStart).toMatchObject({ statusCode: 201, body: first!.body });
    expect(sns.published.length - publishedBefore).toBe(1);
  });

  it('generates the OpenAPI document on first request', async () => {
    const [document] = await invoke([httpEvent('GET /openapi.json')]);

    expect(document!.statusCode).toBe(200);
    expect(document!.json.openapi).toBe('3.1.0');
  });

  it('refuses to start without its configuration, naming the variable', async () => {
    const failure = await invoke([httpEvent('GET /health')], { METADATA_TABLE_NAME: '' }).catch(
      (e: Error) => e,
    );

    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as { stderr?: string }).stderr)).toContain('METADATA_TABLE_NAME');
  });
});
