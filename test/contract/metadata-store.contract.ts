/**
 * The one behaviour every MetadataStore adapter must show; each adapter's test file runs it.
 * Tests get a fresh, empty store and a manual clock the store reads "now" from.
 */

import { afterEach, beforeEach, describe } from 'vitest';
import { describeBatchGetAndExpiry } from './metadata-store/batch-expiry';
import { describeConcurrency } from './metadata-store/concurrency';
import { describeConditionsAndDelete } from './metadata-store/conditions';
import { describeGetAndPut } from './metadata-store/get-put';
import { describeNewerPuts } from './metadata-store/newer-puts';
import { describeQuery } from './metadata-store/query';
import type { MetadataStoreFixture } from './metadata-store/shared';
import { describeTransact } from './metadata-store/transact';

export type { ManualClock, MetadataStoreFixture } from './metadata-store/shared';

export const describeMetadataStoreContract = (name: string, makeStore: () => Promise<MetadataStoreFixture>) =>
  describe(`MetadataStore contract: ${name}`, () => {
    let fixture: MetadataStoreFixture;

    beforeEach(async () => {
      fixture = await makeStore();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    const current = () => fixture;
    describeGetAndPut(current);
    describeConditionsAndDelete(current);
    describeTransact(current);
    describeQuery(current);
    describeBatchGetAndExpiry(current);
    describeConcurrency(current);
    describeNewerPuts(current);
  });
