import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { accessConfig, type AccessConfig } from '../config';
import { bearerTokenOf } from './bearer-token';

/**
 * Checks the key of internal routes (`Authorization: Bearer <key>` or `X-Api-Key`). Keys are
 * compared as SHA-256 digests with timingSafeEqual, against every configured key without an
 * early exit, so timing tells nothing about a key's length or prefix. No key configured: refuse all.
 */
@Injectable()
export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(@Inject(accessConfig.KEY) config: AccessConfig) {
    this.digests = config.internalApiKeys.map(digest);
  }

  isAuthorized(headers: IncomingHttpHeaders): boolean {
    const presented = presentedKey(headers);
    if (presented === null) return false;
    const candidate = digest(presented);
    let matched = false;
    for (const known of this.digests) matched = timingSafeEqual(known, candidate) || matched;
    return matched;
  }
}

function presentedKey(headers: IncomingHttpHeaders): string | null {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey;
  return bearerTokenOf(headers);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
