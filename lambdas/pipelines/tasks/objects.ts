import { objectKeyOfUri } from '../../features/training-sets/training-sets';
import { ValidationError } from '../../shared/errors';
import type { ObjectStore } from '../../shared/ports/object-store';

/** The key behind a URI the platform's store made (s3://bucket/key in the cloud, file:// locally). */
export const keyOfUri = (objects: ObjectStore, uri: string, field: string): string => {
  const key = objectKeyOfUri(objects, uri);
  if (key === undefined) {
    throw new ValidationError([
      { field, rule: 'not_found', message: `${uri} names no object in the platform store` },
    ]);
  }
  return key;
};

export const readObject = async (objects: ObjectStore, key: string): Promise<Uint8Array> => {
  const object = await objects.get(key);
  if (!object) throw new Error(`object ${key} is missing`);
  return object.body;
};

export const readText = async (objects: ObjectStore, key: string): Promise<string> =>
  new TextDecoder().decode(await readObject(objects, key));

export const readJson = async <T>(objects: ObjectStore, key: string): Promise<T> =>
  JSON.parse(await readText(objects, key)) as T;
