import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startStack, type Stack } from '../app.factory';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { sharedStateEnv } from '../support/replica-env';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { samples, scrape } from './metrics.helpers';

const ROOT = join(__dirname, '..', '..');
const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'oz-liveness-service.json');
const RULES = join(ROOT, 'deploy', 'prometheus', 'alerts.yaml');

/** PromQL words that are not metric names. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, ranges,
 * grouping clauses, Grafana variables and function names are taken out.
 */
export function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\w+/g, '');
  return [...bare.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(?!\s*\(|\w)/g)].map((match) => match[1]).filter((name) => !KEYWORDS.has(name));
}

interface Panel {
  title: string;
  targets: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((group) => group.rules);
const queries = [
  ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr }))),
  ...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
];

/** Contract §17: every query of the dashboard and the alerts names only metrics the service exports. */
describe('the Grafana dashboard and the alerting rules against a real scrape of /metrics', () => {
  let redis: RedisServer;
  let receiver: WebhookReceiver;
  let stack: Stack;
  let exported: Set<string>;

  // Every optional part on, so that its metrics are there: Redis, the Oz capacity, webhooks.
  beforeAll(async () => {
    [redis, receiver] = await Promise.all([startRedisServer(), startWebhookReceiver()]);
    stack = await startStack(sharedStateEnv(redis.url, { OZ_CAPACITY: '3', WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: receiver.secret }));
    exported = new Set(samples(await scrape(stack.service.app)).map((sample) => sample.name));
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([redis?.stop(), receiver?.close()]);
  });

  it('reads the metric names out of PromQL, and nothing else', () => {
    expect(
      metricNamesOf('histogram_quantile(0.9, sum by (le, operation) (rate(oz_request_duration_seconds_bucket{operation=~"a|b"}[$__rate_interval]))) > 20'),
    ).toEqual(['oz_request_duration_seconds_bucket']);
    expect(metricNamesOf('max(reviews_pending) > 0 unless sum(increase(reviews_completed_total[1h])) > 0')).toEqual([
      'reviews_pending',
      'reviews_completed_total',
    ]);
  });

  it.each(queries.map((query) => [query.where, query.expr]))('%s names only exported metrics', (_where, expr) => {
    const names = metricNamesOf(expr);

    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !exported.has(name))).toEqual([]);
  });
});
