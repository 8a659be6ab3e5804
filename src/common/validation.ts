import { Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { isUUID, validateSync } from 'class-validator';
import { AppError } from './app-error';

/** A JSON body → a validated DTO; no unknown fields, and not an array, a scalar or `null`. No body is an empty DTO. */
export function validateBody<T extends object>(cls: new () => T, body: unknown): T {
  if (body === undefined) return new cls();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('VALIDATION_FAILED', 'The body must be a JSON object.');
  }
  const dto = plainToInstance(cls, body);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const reasons = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new AppError('VALIDATION_FAILED', reasons.join('; '));
  }
  return dto;
}

/**
 * The `sessionId` path parameter must be a UUID (400 before any lookup). UUIDs compare without
 * regard to case, and ours are issued in lower case, so the id is lower-cased for the lookup.
 */
@Injectable()
export class SessionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUUID(value)) throw new AppError('VALIDATION_FAILED', 'sessionId must be a UUID.');
    return value.toLowerCase();
  }
}
