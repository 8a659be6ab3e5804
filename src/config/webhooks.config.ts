import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { IsHttpUrl, IsWebhookSecret, RequiredWhenSet } from './rules';
import { ToInt } from './transforms';

class WebhooksEnvironment {
  @IsOptional()
  @IsHttpUrl('the receiver of the events')
  WEBHOOK_URL?: string;

  @RequiredWhenSet('WEBHOOK_URL', 'every event is signed with it')
  @IsWebhookSecret()
  WEBHOOK_SECRET?: string;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(600_000)
  WEBHOOK_TIMEOUT_MS = 5_000;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  WEBHOOK_MAX_ATTEMPTS = 8;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(86_400_000)
  WEBHOOK_BACKOFF_MS = 5_000;
}

export const webhooksConfig = defineNamespace('webhooks', WebhooksEnvironment, (env) => ({
  url: env.WEBHOOK_URL ?? null,
  secret: env.WEBHOOK_SECRET ?? null,
  timeoutMs: env.WEBHOOK_TIMEOUT_MS,
  maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
  backoffMs: env.WEBHOOK_BACKOFF_MS,
}));
export type WebhooksConfig = ValueOf<typeof webhooksConfig>;
