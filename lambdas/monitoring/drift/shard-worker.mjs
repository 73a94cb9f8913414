// Entry of a summarising worker thread. Workers do not inherit the parent's module hooks, so tsx is
// registered here: the TypeScript worker then loads the same way under `node --import tsx`, vitest
// and the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
