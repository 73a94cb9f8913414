import { objectKeyOfUri } from '../../features/training-sets';
import { parseCsv, parseJsonLines } from '../../features/training-sets-entities';
import type { ObjectStore } from '../../shared/ports/object-store';
import { PipelineStepError } from './deps';

/** The entity rows a request names (the API moved inline rows to the store, so it is always a URI). */
export const loadEntityRows = async (objects: ObjectStore, uri: string): Promise<unknown[]> => {
  const key = objectKeyOfUri(objects, uri);
  const object = key === undefined ? undefined : await objects.get(key);
  if (key === undefined || !object) {
    throw new PipelineStepError(
      'DataValidationFailed',
      `entitiesUri ${uri} names no object in the platform store`,
    );
  }
  const text = new TextDecoder().decode(object.body);
  if (/\.csv$/i.test(key)) return parseCsv(text, 'request.entitiesUri');
  return parseJsonLines(text, 'request.entitiesUri');
};
