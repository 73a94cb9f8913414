// Entry of a summarising worker thread. Workers do not inherit the parent's module hooks, so the
// TypeScript worker is loaded through tsx here. tsx's CommonJS API transforms in this thread, where
// its ESM API would start a module-hooks thread per worker: ~150 ms to start a worker instead of ~330.
const { require: requireTypeScript } = require('tsx/cjs/api');

requireTypeScript('./shard-worker.ts', __filename);
