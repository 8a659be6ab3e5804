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
  // class-transformer recurses into every level: a 3 KB body nested 2,000 deep must be refused first.
  if (depthExceeds(body, MAX_JSON_DEPTH)) throw new AppError('VALIDATION_FAILED', `The body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  const dto = plainToInstance(cls, body);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const reasons = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new AppError('VALIDATION_FAILED', reasons.join('; '));
  }
  return dto;
}

const MAX_JSON_DEPTH = 16;

/** Iterative, so that the check itself cannot overflow the stack. */
function depthExceeds(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
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
