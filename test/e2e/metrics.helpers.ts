import { spawnSync } from 'node:child_process';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MetricsServer } from '../../src/metrics/metrics.server';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The URL of `GET /metrics` of an in-process app (its own listener, on the port the system chose). */
export function metricsUrl(app: NestFastifyApplication): string {
  return `http://127.0.0.1:${app.get(MetricsServer).port}/metrics`;
}

export async function scrape(app: NestFastifyApplication): Promise<string> {
  const response = await fetch(metricsUrl(app));
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (comments skipped). */
export function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE_LINE.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, name, value]) => [name, value]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The value of the one sample of `name` whose labels are exactly `labels`; 0 when there is none. */
export function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samples(text).filter((sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${wanted}`);
  return found[0]?.value ?? 0;
}

/** How much each series moved during `action`, read from two scrapes. */
export async function delta(app: NestFastifyApplication, action: () => Promise<unknown>): Promise<(name: string, labels?: Record<string, string>) => number> {
  const before = await scrape(app);
  await action();
  const after = await scrape(app);
  return (name, labels = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
}

/** `promtool check metrics` on the text: its exit status and what it said (nothing when all is well). */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
