import { createPrivateKey, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { IsDefined, IsUrl, registerDecorator, ValidateIf, type ValidationArguments } from 'class-validator';

/** A variable that must be set when another one is (e.g. DATA_ENCRYPTION_KEY with REDIS_URL). */
export function RequiredWhenSet(other: string, why: string): PropertyDecorator {
  return (target, property) => {
    ValidateIf((env: Record<string, unknown>) => env[other] !== undefined || env[property as string] !== undefined)(target, property);
    IsDefined({ message: `is required when ${other} is set (${why})` })(target, property);
  };
}

/** A variable that must be set when any of the others is (SUBJECT_JWT_ISSUER with either key source). */
export function RequiredWithAnyOf(others: string[], why: string): PropertyDecorator {
  return (target, property) => {
    ValidateIf((env: Record<string, unknown>) => others.some((other) => env[other] !== undefined) || env[property as string] !== undefined)(target, property);
    IsDefined({ message: `is required when ${others.join(' or ')} is set (${why})` })(target, property);
  };
}

/** A variable that must not be set together with another one (two sources of the same thing). */
export function NotWithVariable(other: string, why: string): PropertyDecorator {
  return rule('notWithVariable', `must not be set together with ${other} (${why})`, (value, env) => value === undefined || env[other] === undefined);
}

export function IsHttpUrl(what: string): PropertyDecorator {
  return IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: ({ value }) => (value === undefined ? `is required (${what})` : 'must be an http(s) URL') },
  );
}

function rule(name: string, message: string, test: (value: unknown, env: Record<string, unknown>) => boolean): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: property as string,
      options: { message },
      validator: { validate: (value: unknown, args: ValidationArguments) => test(value, args.object as Record<string, unknown>) },
    });
}

/** At least the value of another numeric variable (when that one is a number at all). */
export function AtLeastVariable(other: string, plus = 0, why = ''): PropertyDecorator {
  const message = plus === 0 ? `must be at least ${other}` : `must be at least ${other} + ${plus}${why ? ` (${why})` : ''}`;
  return rule(`atLeast${other}`, message, (value, env) => {
    const floor = env[other];
    return typeof value === 'number' && (typeof floor !== 'number' || Number.isNaN(floor) || value >= floor + plus);
  });
}

/** Differs from another variable, e.g. METRICS_PORT from PORT (0, a port of the system's choice, excepted). */
export function DiffersFromVariable(other: string): PropertyDecorator {
  return rule(`differsFrom${other}`, `must differ from ${other}`, (value, env) => value === 0 || value !== env[other]);
}

/** Base64 (standard or URL alphabet) that decodes to exactly `bytes` bytes. */
export function IsBase64Key(bytes: number): PropertyDecorator {
  return rule('isBase64Key', `must be ${bytes} bytes, base64-encoded`, (value) => decodedLength(value) === bytes);
}

/** Standard Webhooks: `whsec_` and the base64 of 24 to 64 random bytes. */
export function IsWebhookSecret(): PropertyDecorator {
  return rule('isWebhookSecret', 'must be whsec_ followed by the base64 of 24 to 64 random bytes', (value) => {
    if (typeof value !== 'string' || !value.startsWith('whsec_')) return false;
    // The standardwebhooks libraries decode the standard alphabet only: no URL-safe base64 here.
    const encoded = value.slice('whsec_'.length);
    const length = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? decodedLength(encoded) : null;
    return length !== null && length >= 24 && length <= 64;
  });
}

/** PKCS#8 PEM of an EC P-256 private key (newlines may be written as `\n`). */
export function IsEcP256PrivateKey(): PropertyDecorator {
  return rule('isEcP256PrivateKey', 'must be the PKCS#8 PEM of an EC P-256 private key', (value) => {
    if (typeof value !== 'string') return false;
    try {
      const key = createPrivateKey({ key: pemFromEnvironment(value), format: 'pem' });
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    } catch {
      return false;
    }
  });
}

/** The SPKI PEM of an RSA, EC P-256 or Ed25519 public key: the key types of RS256, ES256 and EdDSA (newlines may be `\n`). */
export function IsSubjectPublicKey(): PropertyDecorator {
  return rule('isSubjectPublicKey', 'must be the PEM of an RSA, EC P-256 or Ed25519 public key', (value) => {
    if (typeof value !== 'string') return false;
    try {
      const key = createPublicKey({ key: pemFromEnvironment(value), format: 'pem' });
      if (key.asymmetricKeyType === 'ec') return key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
      return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'ed25519';
    } catch {
      return false;
    }
  });
}

/** Fastify's `trustProxy`: true, false, a number of hops, or addresses and CIDRs. */
export function IsTrustProxy(): PropertyDecorator {
  return rule('isTrustProxy', 'must be true, false, a number of proxy hops, or comma-separated addresses/CIDRs', (value) => {
    if (typeof value === 'boolean') return true;
    if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 100;
    return Array.isArray(value) && value.length > 0 && value.every(isAddressOrCidr);
  });
}

export function pemFromEnvironment(value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}

function isAddressOrCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const width = Number(bits);
  return /^\d{1,3}$/.test(bits) && width <= (family === 4 ? 32 : 128);
}

function decodedLength(value: unknown): number | null {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return null;
  return Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64').length;
}
