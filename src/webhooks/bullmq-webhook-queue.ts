import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Job, type JobsOptions, Queue, Worker } from 'bullmq';
import { type RedisClient, RedisConnection } from '../redis/redis.connection';
import { retryDelayMs } from './retry-schedule';
import type { WebhookDelivery } from './webhook-delivery';
import type { WebhookMessage } from './webhook-event';
import { WebhookQueue } from './webhook-queue';
import { MAX_DELIVERIES_IN_FLIGHT } from './webhook-sender';

const QUEUE_NAME = 'deliveries';
const BACKOFF_TYPE = 'webhook';
/**
 * A replica that dies mid-attempt holds its job's lock until it expires (10 s: renewed every
 * 5 s while alive); a live replica's stalled check, every 5 s, then puts the job back in the
 * queue. So another replica takes it within about 20 s.
 */
const LOCK_DURATION_MS = 10_000;
const STALLED_INTERVAL_MS = 5_000;
/**
 * How long an idle worker blocks waiting for a job before it looks again (seconds). A retry falls
 * due with a wake-up signal that one worker takes; when that worker's replica died, the others see
 * the job at their next look: within 1 s instead of BullMQ's default 5.
 */
const IDLE_POLL_SECONDS = 1;
/** Delivered events kept (for idempotent re-enqueueing by id): at most this many, at most a day old. */
const KEEP_DELIVERED = { count: 10_000, age: 24 * 3600 };
/** Given-up events kept for an operator to look at: at most this many, at most a week old. */
const KEEP_GIVEN_UP = { count: 1_000, age: 7 * 24 * 3600 };
const ERROR_LOG_INTERVAL_MS = 30_000;
/** What a close may take beyond the attempts in flight before it is cut. */
const CLOSE_MARGIN_MS = 1_000;

/**
 * The queue shared by every replica through Redis (BullMQ): an event is stored before the answer
 * that recorded it is sent, and survives the replica; BullMQ's job lock keeps two replicas from
 * delivering one event at once. Its keys start with REDIS_KEY_PREFIX, like every key of
 * the service, and share one Cluster hash tag: `<REDIS_KEY_PREFIX>{webhooks}:…`.
 */
export class BullmqWebhookQueue extends WebhookQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly producer: RedisClient;
  private readonly queue: Queue<WebhookMessage>;
  private readonly prefix: string;
  private workerClient: RedisClient | null = null;
  private worker: Worker<WebhookMessage> | null = null;
  private lastErrorLogAt = -Infinity;

  constructor(
    private readonly delivery: WebhookDelivery,
    private readonly connection: RedisConnection,
  ) {
    super();
    this.prefix = `${connection.keyPrefix}{webhooks}`;
    // The enqueue is part of a request: it must fail fast (no offline queue, 1 s per command) and
    // never wait for a connection, so that a Redis away answers 503 STORE_UNAVAILABLE at once.
    this.producer = connection.createClient();
    this.queue = new Queue<WebhookMessage>(QUEUE_NAME, {
      connection: this.producer,
      prefix: this.prefix,
      skipWaitingForReady: true,
      skipVersionCheck: true,
      skipMetasUpdate: true,
      defaultJobOptions: this.jobOptions(),
    });
    this.queue.on('error', (error) => this.logError(error));
  }

  /** Idempotent: the job id is the event id, and BullMQ adds no second job under an id it holds. */
  async enqueue(message: WebhookMessage): Promise<void> {
    await this.queue.add(message.type, message, { jobId: message.id });
  }

  /** Workers start once the application is up, and take jobs from every replica. */
  onApplicationBootstrap(): void {
    // A worker waits for jobs with blocking commands, so it has neither the 1 s command timeout
    // nor the fail-fast of request paths: it reconnects and resumes on its own (BullMQ wants
    // maxRetriesPerRequest: null). BullMQ makes its own connections from this one, which never connects.
    this.workerClient = this.connection.createClient({ maxRetriesPerRequest: null, enableOfflineQueue: true, commandTimeout: undefined, lazyConnect: true });
    this.worker = new Worker<WebhookMessage>(QUEUE_NAME, (job) => this.process(job), {
      connection: this.workerClient,
      prefix: this.prefix,
      concurrency: MAX_DELIVERIES_IN_FLIGHT,
      lockDuration: LOCK_DURATION_MS,
      stalledInterval: STALLED_INTERVAL_MS,
      drainDelay: IDLE_POLL_SECONDS,
      // Every attempt may lose its replica once before BullMQ itself gives the job up.
      maxStalledCount: this.delivery.config.maxAttempts,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(this.delivery.config.backoffMs, attemptsMade) },
    });
    this.worker.on('error', (error) => this.logError(error));
  }

  /**
   * Attempts in flight finish (each within WEBHOOK_TIMEOUT_MS); events waiting stay in Redis for
   * the other replicas. Every step is bounded (docs/api.md §18): with Redis away, BullMQ's close
   * waits on connections that retry without end, and the process would never exit. A job cut
   * short keeps its lock until it expires, and another replica then delivers it.
   */
  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    const attemptsEnd = this.delivery.config.timeoutMs + CLOSE_MARGIN_MS;
    if (worker && !(await settlesWithin(worker.close(), attemptsEnd, (error) => this.logError(error)))) {
      void worker.close(true).catch((error: unknown) => this.logError(error));
    }
    await settlesWithin(this.queue.close(), CLOSE_MARGIN_MS, (error) => this.logError(error));
    this.workerClient?.disconnect();
    await this.producer.quit().catch(() => this.producer.disconnect());
    await this.delivery.close();
  }

  private async process(job: Job<WebhookMessage>): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const delivered = await this.delivery.attempt(job.data, { attempt, last: attempt >= (job.opts.attempts ?? 1) });
    // BullMQ retries a job whose processor threw, after the backoff strategy's delay, until its attempts are spent.
    if (!delivered) throw new Error(`delivery attempt ${attempt} failed`);
  }

  private jobOptions(): JobsOptions {
    return {
      attempts: this.delivery.config.maxAttempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: KEEP_DELIVERED,
      removeOnFail: KEEP_GIVEN_UP,
      // The failure reason is our own sentence; a stack trace in Redis would only be noise.
      stackTraceLimit: 0,
    };
  }

  /** The Redis connection logs its own errors; this names what BullMQ reports, at most once per interval. */
  private logError(error: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLogAt = now;
    const name = error instanceof Error ? error.name : 'unknown';
    this.logger.warn(`webhook queue error (${name}); deliveries resume once Redis answers`);
  }
}

/** Whether `work` settled within `ms`; its error goes to `onError`. It is never awaited past `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number, onError: (error: unknown) => void): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = work.then(
    () => true,
    (error: unknown) => {
      onError(error);
      return true;
    },
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}
