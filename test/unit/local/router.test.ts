import { describe, expect, it } from 'vitest';
import { Router } from '../../../local/router';

describe('local router', () => {
  const router = new Router<string>();
  router.add({ method: 'GET', path: '/models/{name}' }, 'getModel');
  router.add({ method: 'GET', path: '/models/{name}/versions/{version}' }, 'getVersion');
  router.add({ method: 'GET', path: '/models/search' }, 'search');
  router.add({ method: 'GET', path: '/objects/{key+}' }, 'getObject');

  it('extracts decoded path parameters', () => {
    const match = router.match('GET', '/models/fraud%20v2/versions/3');

    expect(match).toEqual({
      routeKey: 'GET /models/{name}/versions/{version}',
      pathParameters: { name: 'fraud v2', version: '3' },
      target: 'getVersion',
    });
  });

  it('prefers the route with more literal segments', () => {
    expect(router.match('GET', '/models/search')?.target).toBe('search');
    expect(router.match('GET', '/models/other')?.target).toBe('getModel');
  });

  it('lets a greedy parameter take the rest of the path', () => {
    expect(router.match('GET', '/objects/a/b/c.parquet')?.pathParameters).toEqual({ key: 'a/b/c.parquet' });
  });

  it('matches neither another method nor a partial path', () => {
    expect(router.match('POST', '/models/x')).toBeUndefined();
    expect(router.match('GET', '/models/x/versions')).toBeUndefined();
  });

  it('refuses malformed percent-encoding instead of throwing', () => {
    expect(router.match('GET', '/models/%E0%A4%A')).toBeUndefined();
  });

  it('refuses a duplicate route key', () => {
    expect(() => router.add({ method: 'GET', path: '/models/{name}' }, 'again')).toThrow(/Duplicate route/);
  });
});
