import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IIoK8sApimachineryPkgApisMetaV1LabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { parseAllDocuments } from 'yaml';

/** Reads deploy/kubernetes from disk (no cluster, no network) and knows the schema of each kind. */
export const MANIFEST_ROOT = join(__dirname, '..', '..', 'deploy', 'kubernetes');

export interface ManifestFile {
  /** Relative to MANIFEST_ROOT, with forward slashes (as kustomization.yaml names it). */
  path: string;
  objects: Record<string, unknown>[];
  errors: string[];
}

export function yamlFilesUnder(dir: string = MANIFEST_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => relative(MANIFEST_ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

export function readManifest(path: string): ManifestFile {
  const documents = parseAllDocuments(readFileSync(join(MANIFEST_ROOT, path), 'utf8'));
  const list = Array.isArray(documents) ? documents : [documents];
  const errors = list.flatMap((document) => [...document.errors, ...document.warnings].map((problem) => problem.message));
  const objects = list.map((document) => document.toJS() as Record<string, unknown>).filter((object) => object !== null);
  return { path, objects, errors };
}

type Validating = { validate(): void };
/** apiVersion/kind → the model whose validate() checks the object against its published schema. */
export const SCHEMAS: Record<string, (object: never) => Validating> = {
  'v1/ConfigMap': (object) => new ConfigMap(object),
  'v1/Secret': (object) => new Secret(object),
  'v1/Service': (object) => new Service(object),
  'apps/v1/Deployment': (object) => new Deployment(object),
  'policy/v1/PodDisruptionBudget': (object) => new PodDisruptionBudget(object),
  'autoscaling/v2/HorizontalPodAutoscaler': (object) => new HorizontalPodAutoscaler(object),
  'networking.k8s.io/v1/NetworkPolicy': (object) => new NetworkPolicy(object),
  'monitoring.coreos.com/v1/ServiceMonitor': (object) => new ServiceMonitor(object),
  'monitoring.coreos.com/v1/PrometheusRule': (object) => new PrometheusRule(object),
};

export const typeOf = (object: Record<string, unknown>): string => `${String(object.apiVersion)}/${String(object.kind)}`;

/** The one object of a kind in the whole tree, typed by its model. */
export function theOne<T>(kind: string, make: (object: never) => T): T {
  const found = yamlFilesUnder()
    .flatMap((path) => readManifest(path).objects)
    .filter((object) => typeOf(object) === kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind} under deploy/kubernetes, found ${found.length}`);
  return make(found[0] as never);
}

/** A port as a Service, probe or NetworkPolicy names it (number or container port name) → its number. */
export function containerPortNumber(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

/** True when the selector is non-empty, uses only matchLabels, and every one of them is on `labels`. */
export function selects(selector: LabelSelector | Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector;
  if (isLabelSelector && (selector as LabelSelector).matchExpressions?.length) return false;
  const wanted = (isLabelSelector ? (selector as LabelSelector).matchLabels : selector) as Record<string, string> | undefined;
  const pairs = Object.entries(wanted ?? {});
  return pairs.length > 0 && pairs.every(([key, value]) => labels?.[key] === value);
}

const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 } as const;
const DECIMAL = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 } as const;

/** A Kubernetes memory quantity ("512Mi", "1G", "536870912") in bytes. */
export function bytesOf(quantity: string | number | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity));
  if (!match) throw new Error(`not a memory quantity: ${String(quantity)}`);
  const unit = match[2] as keyof typeof BINARY | keyof typeof DECIMAL | undefined;
  const factor = unit === undefined ? 1 : unit in BINARY ? BINARY[unit as keyof typeof BINARY] : DECIMAL[unit as keyof typeof DECIMAL];
  return Number(match[1]) * factor;
}

/** Seconds of a preStop that sleeps (`exec: sleep N` or the `sleep` action), else undefined. */
export function preStopSleepSeconds(container: IContainer): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  return command.length === 2 && command[0] === 'sleep' && /^\d+$/.test(command[1]) ? Number(command[1]) : undefined;
}

type IngressRule = NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number];
export type Peer = NonNullable<IngressRule['from']>[number];

/**
 * Who an ingress NetworkPolicy lets reach a container port: 'anyone' when a rule covering the
 * port has no `from`, else the peers of every rule that covers it ([] when none does).
 */
export function peersReaching(policy: NetworkPolicy, container: IContainer, port: number): 'anyone' | Peer[] {
  if (!policy.spec?.policyTypes?.includes('Ingress')) return 'anyone';
  const covering = (policy.spec.ingress ?? []).filter(
    (rule) =>
      !rule.ports?.length ||
      rule.ports.some((candidate) => {
        if (candidate.port === undefined) return true;
        const first = containerPortNumber(container, candidate.port);
        return first !== undefined && first <= port && port <= (candidate.endPort ?? first);
      }),
  );
  if (covering.some((rule) => !rule.from?.length)) return 'anyone';
  return covering.flatMap((rule) => rule.from ?? []);
}
