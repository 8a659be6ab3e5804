import { AppError } from '../common/app-error';

export function unauthorized(detail: string): AppError {
  return new AppError('UNAUTHORIZED', detail, { headers: { 'www-authenticate': 'Bearer' } });
}
