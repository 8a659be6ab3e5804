import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { HealthCheckResult, HealthCheckStatus, HealthIndicatorResult, HealthIndicatorStatus } from '@nestjs/terminus';

/** One indicator of a probe (`store`, `lifecycle`), as terminus reports it; a `down` one says why. */
export class HealthIndicatorDto {
  @ApiProperty({ enum: ['up', 'down'] })
  status: HealthIndicatorStatus;

  @ApiPropertyOptional({ example: 'the session store does not answer' })
  message?: string;
}

const INDICATORS = (description: string) => ({ type: 'object', description, additionalProperties: { $ref: getSchemaPath(HealthIndicatorDto) } }) as const;

/** The body of both probes, in the @nestjs/terminus format (docs/api.md §2). */
@ApiExtraModels(HealthIndicatorDto)
export class HealthCheckDto implements HealthCheckResult {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] })
  status: HealthCheckStatus;

  @ApiPropertyOptional({ ...INDICATORS('The indicators that are up.'), example: { store: { status: 'up' }, lifecycle: { status: 'up' } } })
  info?: HealthIndicatorResult;

  @ApiPropertyOptional({ ...INDICATORS('The indicators that are down.'), example: {} })
  error?: HealthIndicatorResult;

  @ApiProperty({ ...INDICATORS('Every indicator.'), example: { store: { status: 'up' }, lifecycle: { status: 'up' } } })
  details: HealthIndicatorResult;
}
