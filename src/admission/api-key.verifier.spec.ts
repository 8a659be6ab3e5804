import fc from 'fast-check';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessConfig } from '../config';
import { ApiKeyVerifier } from './api-key.verifier';

const KEYS = ['first-key', 'second.key:2', 'k3'];

function verifier(keys: string[]): ApiKeyVerifier {
  return new ApiKeyVerifier({ internalApiKeys: keys } as AccessConfig);
}

describe('ApiKeyVerifier', () => {
  const several = verifier(KEYS);

  it.each(KEYS)('accepts the configured key %s as Authorization: Bearer', (key) => {
    expect(several.isAuthorized({ authorization: `Bearer ${key}` })).toBe(true);
  });

  it.each(KEYS)('accepts the configured key %s as X-Api-Key', (key) => {
    expect(several.isAuthorized({ 'x-api-key': key })).toBe(true);
  });

  it('accepts the Bearer scheme in any case and with surrounding spaces', () => {
    expect(several.isAuthorized({ authorization: 'bearer first-key' })).toBe(true);
    expect(several.isAuthorized({ authorization: 'BEARER   first-key  ' })).toBe(true);
  });

  it('accepts a single configured key', () => {
    expect(verifier(['only']).isAuthorized({ 'x-api-key': 'only' })).toBe(true);
  });

  it.each([
    ['a wrong X-Api-Key', { 'x-api-key': 'wrong-key' }],
    ['a wrong Bearer key', { authorization: 'Bearer wrong-key' }],
    ['a prefix of a key', { 'x-api-key': 'first' }],
    ['a key with an extra character', { 'x-api-key': 'first-key!' }],
    ['a key in another case', { 'x-api-key': 'FIRST-KEY' }],
    ['a key with a trailing space in X-Api-Key', { 'x-api-key': 'first-key ' }],
    ['two keys joined by a comma', { 'x-api-key': 'first-key, k3' }],
    ['no key at all', {}],
    ['an empty X-Api-Key', { 'x-api-key': '' }],
  ])('refuses %s', (_, headers: IncomingHttpHeaders) => {
    expect(several.isAuthorized(headers)).toBe(false);
  });

  it.each([
    'first-key',
    'Basic first-key',
    'Token first-key',
    'Bearer',
    'Bearer ',
    'Bearerfirst-key',
    'Bearer first-key k3',
    'Bearer first-key,k3',
    'first-key Bearer',
    ' Bearer first-key',
    '',
  ])('refuses the malformed Authorization header %p', (authorization) => {
    expect(several.isAuthorized({ authorization })).toBe(false);
  });

  it('refuses a wrong X-Api-Key even when the Authorization header carries a valid key', () => {
    expect(several.isAuthorized({ 'x-api-key': 'wrong-key', authorization: 'Bearer first-key' })).toBe(false);
  });

  it('refuses every key, including the empty string and the usual defaults, when no key is configured', () => {
    const none = verifier([]);

    for (const key of ['first-key', 'changeme', 'undefined', 'null', ' ']) {
      expect(none.isAuthorized({ 'x-api-key': key })).toBe(false);
      expect(none.isAuthorized({ authorization: `Bearer ${key}` })).toBe(false);
    }
    expect(none.isAuthorized({})).toBe(false);
  });

  it('refuses any X-Api-Key that is not one of the configured keys', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom(...KEYS).map((key) => `${key}x`),
        ),
        (presented) => {
          fc.pre(!KEYS.includes(presented));
          expect(several.isAuthorized({ 'x-api-key': presented })).toBe(false);
        },
      ),
    );
  });

  it('refuses any Bearer token that is not one of the configured keys', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom(...KEYS).map((key) => key.slice(1)),
        ),
        (presented) => {
          // Spaces around the token are the header's syntax, not part of the key.
          fc.pre(!KEYS.includes(presented.trim()));
          expect(several.isAuthorized({ authorization: `Bearer ${presented}` })).toBe(false);
        },
      ),
    );
  });
});
