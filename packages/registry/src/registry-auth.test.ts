import { describe, expect, it } from 'vitest';
import { mergeScopes, parseChallenge } from './registry-auth.js';

describe('mergeScopes', () => {
  it('asks for the same scope whatever order the registry lists the actions in', () => {
    expect(mergeScopes('repository:api:pull,push', 'repository:api:push,pull')).toEqual(['repository:api:pull,push']);
    expect(mergeScopes('repository:api:pull,push', 'repository:api:pull,push')).toEqual(['repository:api:pull,push']);
  });

  it('adds what the registry wants beyond ours, and keeps every resource of a mount', () => {
    expect(mergeScopes('repository:api:pull', 'repository:api:pull,delete')).toEqual(['repository:api:pull,delete']);
    expect(
      mergeScopes('repository:api:pull,push repository:web:pull', 'repository:api:push,pull repository:web:pull'),
    ).toEqual(['repository:api:pull,push', 'repository:web:pull']);
    expect(mergeScopes('', 'registry:catalog:*')).toEqual(['registry:catalog:*']);
    expect(mergeScopes('', undefined)).toEqual([]);
  });
});

describe('parseChallenge', () => {
  it('reads the scheme and the quoted parameters', () => {
    expect(
      parseChallenge('Bearer realm="http://127.0.0.1:5001/token",service="reg",scope="repository:api:push,pull"'),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'http://127.0.0.1:5001/token', service: 'reg', scope: 'repository:api:push,pull' },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });
});
