import { fileURLToPath } from 'node:url';

/** The project root (where package.json and the lock file live): Lambda entries are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
