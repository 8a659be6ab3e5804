import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const RULES = join(ROOT, 'deploy', 'prometheus', 'alerts.yaml');
const RULE_TESTS = join(ROOT, 'deploy', 'prometheus', 'alerts.test.yaml');
const COMPONENT = join(ROOT, 'deploy', 'kubernetes', 'components', 'prometheus-rules', 'prometheus-rule.yaml');
const RUNBOOK = join(ROOT, 'docs', 'runbook.md');

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string; description: string; runbook_url: string };
}
interface RuleTest {
  name: string;
  alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}

const read = <T>(path: string): T => parse(readFileSync(path, 'utf8')) as T;
const groups = read<{ groups: { name: string; rules: Rule[] }[] }>(RULES).groups;
const rules = groups.flatMap((group) => group.rules);
const tests = read<{ tests: RuleTest[] }>(RULE_TESTS).tests;

/** promtool, from Debian's `prometheus` package (README: what the tests need). */
function promtool(...args: string[]): string {
  return execFileSync('promtool', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** GitHub's anchor of a Markdown heading: lower case, spaces to dashes, punctuation dropped. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

/** Contract §17: alerts with a runbook, each unit-tested firing and not firing. */
describe('the alerting rules (deploy/prometheus, and the PrometheusRule component)', () => {
  it('are valid rules for promtool', () => {
    expect(promtool('check', 'rules', RULES)).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it("pass promtool's unit tests", () => {
    expect(promtool('test', 'rules', RULE_TESTS)).toContain('SUCCESS');
  });

  it.each(rules.map((rule) => [rule.alert]))('test %s both firing and staying quiet', (alert) => {
    const cases = tests.flatMap((test) => test.alert_rule_test).filter((test) => test.alertname === alert);

    expect(cases.some((test) => test.exp_alerts.length > 0)).toBe(true);
    expect(cases.some((test) => test.exp_alerts.length === 0)).toBe(true);
  });

  it('cover at least the cases of §17: Oz failing and slow, capacity, the store, webhooks, 5xx, attempt locks, reviews', () => {
    expect(rules.map((rule) => rule.alert).sort()).toEqual(
      expect.arrayContaining([
        'OzLivenessAttemptLocksSpike',
        'OzLivenessCapacityExhausted',
        'OzLivenessOzFailing',
        'OzLivenessOzSlow',
        'OzLivenessReviewsWaiting',
        'OzLivenessServerErrors',
        'OzLivenessStoreUnavailable',
        'OzLivenessWebhooksGivenUp',
      ]),
    );
    expect(rules.find((rule) => rule.alert === 'OzLivenessOzSlow')?.expr).toMatch(/histogram_quantile\(0\.9,[\s\S]*\) > 20\s*$/);
  });

  it('link each alert to its own section of docs/runbook.md', () => {
    const anchors = readFileSync(RUNBOOK, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('## '))
      .map((line) => anchorOf(line.slice(3)));

    for (const rule of rules) {
      expect({ alert: rule.alert, url: rule.annotations.runbook_url }).toEqual({
        alert: rule.alert,
        url: `RUNBOOK_BASE_URL/docs/runbook.md#${anchorOf(rule.alert)}`,
      });
      expect(anchors).toContain(anchorOf(rule.alert));
      expect(['critical', 'warning']).toContain(rule.labels.severity);
    }
  });

  it('ship the same rules as a PrometheusRule for the Prometheus Operator', () => {
    const component = read<{ kind: string; spec: { groups: unknown } }>(COMPONENT);

    expect(component.kind).toBe('PrometheusRule');
    expect(component.spec.groups).toEqual(groups);
  });
});
