import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { IsHttpUrl, IsSubjectPublicKey, NotWithVariable, pemFromEnvironment, RequiredWithAnyOf } from './rules';
import { ToBoolean } from './transforms';

const KEY_SOURCES = ['SUBJECT_JWKS_URL', 'SUBJECT_JWT_PUBLIC_KEY'];

/**
 * Trusted subjects (docs/api.md §14): where the keys of the company's identity provider come from,
 * and what its tokens must say. A key source without an issuer and an audience would accept any
 * token that key ever signed, for any service: both are required with either source.
 */
class SubjectsEnvironment {
  @IsOptional()
  @IsHttpUrl("the identity provider's JWKS")
  @NotWithVariable('SUBJECT_JWT_PUBLIC_KEY', 'one source of keys only')
  SUBJECT_JWKS_URL?: string;

  @IsOptional()
  @IsSubjectPublicKey()
  SUBJECT_JWT_PUBLIC_KEY?: string;

  @RequiredWithAnyOf(KEY_SOURCES, 'a token is only trusted from the expected issuer')
  @IsString()
  @Length(1, 1024)
  SUBJECT_JWT_ISSUER?: string;

  @RequiredWithAnyOf(KEY_SOURCES, 'a token is only trusted when it was issued for this service')
  @IsString()
  @Length(1, 1024)
  SUBJECT_JWT_AUDIENCE?: string;

  @ToBoolean()
  @IsBoolean({ message: 'must be true or false' })
  SUBJECT_REQUIRED = false;
}

export const subjectsConfig = defineNamespace('subjects', SubjectsEnvironment, (env) => ({
  jwksUrl: env.SUBJECT_JWKS_URL ?? null,
  publicKeyPem: env.SUBJECT_JWT_PUBLIC_KEY === undefined ? null : pemFromEnvironment(env.SUBJECT_JWT_PUBLIC_KEY),
  issuer: env.SUBJECT_JWT_ISSUER ?? null,
  audience: env.SUBJECT_JWT_AUDIENCE ?? null,
  required: env.SUBJECT_REQUIRED,
}));
export type SubjectsConfig = ValueOf<typeof subjectsConfig>;
