import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import {
  MANIFEST_ROOT,
  SCHEMAS,
  bytesOf,
  containerPortNumber,
  peersReaching,
  preStopSleepSeconds,
  readManifest,
  selects,
  theOne,
  typeOf,
  yamlFilesUnder,
} from './kubernetes.manifests';

/** The variables of docs/api.md §5 (docs/api.md), plus the OpenTelemetry SDK's OTEL_*. */
const CONTRACT_VARIABLES = [
  'PORT',
  'OZ_API_URL',
  'OZ_ACCESS_TOKEN',
  'OZ_SESSION_TOKEN_METHOD',
  'OZ_SESSION_TTL_SECONDS',
  'OZ_TIMEOUT_MS',
  'OZ_TOKEN_TIMEOUT_MS',
  'OZ_MAX_CONCURRENCY',
  'OZ_CAPACITY',
  'OZ_ANALYSES_PER_MINUTE',
  'OZ_QUEUE_TIMEOUT_MS',
  'MAX_CONTAINER_BYTES',
  'MAX_IMAGE_BYTES',
  'MAX_INFLIGHT_UPLOAD_BYTES',
  'INTERNAL_API_KEYS',
  'RESULT_TTL_SECONDS',
  'BEST_SHOT_TTL_SECONDS',
  'CORS_ORIGINS',
  'LOG_LEVEL',
  'DIAGNOSTICS_DIR',
  'REDIS_URL',
  'REDIS_CLUSTER',
  'REDIS_KEY_PREFIX',
  'DATA_ENCRYPTION_KEY',
  'TRUST_PROXY',
  'RATE_LIMIT_SESSIONS_PER_MINUTE',
  'RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR',
  'METRICS_PORT',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
  'WEBHOOK_TIMEOUT_MS',
  'WEBHOOK_MAX_ATTEMPTS',
  'WEBHOOK_BACKOFF_MS',
  'RECEIPT_SIGNING_KEY',
  'RECEIPT_ISSUER',
  'SHUTDOWN_TIMEOUT_MS',
  // v1.2 §14
  'SUBJECT_JWKS_URL',
  'SUBJECT_JWT_PUBLIC_KEY',
  'SUBJECT_JWT_ISSUER',
  'SUBJECT_JWT_AUDIENCE',
  'SUBJECT_REQUIRED',
  'ATTEMPT_LIMIT',
  'ATTEMPT_WINDOW_SECONDS',
  // v1.2 §15
  'REVIEW_INCONCLUSIVE',
  // v1.2 (§16)
  'HOST',
  'INTERNAL_PORT',
  'MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS',
  'MIN_UPLOAD_BYTES_PER_SECOND',
  'MAX_REFERENCE_PIXELS',
];
const isContractVariable = (name: string) => CONTRACT_VARIABLES.includes(name) || name.startsWith('OTEL_');
const SECRET_KEYS = ['INTERNAL_API_KEYS', 'OZ_ACCESS_TOKEN', 'REDIS_URL', 'DATA_ENCRYPTION_KEY', 'RECEIPT_SIGNING_KEY', 'WEBHOOK_SECRET'];
/** Without these a production replica must not start: REDIS_URL brings the other two along (§5). */
const REQUIRED_SECRET_KEYS = ['INTERNAL_API_KEYS', 'REDIS_URL', 'DATA_ENCRYPTION_KEY', 'RECEIPT_SIGNING_KEY'];

const files = yamlFilesUnder().map(readManifest);
const objects = files.flatMap((file) => file.objects.map((object) => ({ file: file.path, object })));
const deployment = theOne('apps/v1/Deployment', (object) => new Deployment(object));
const config = theOne('v1/ConfigMap', (object) => new ConfigMap(object));
const exampleSecret = theOne('v1/Secret', (object) => new Secret(object));
const services = objects.filter(({ object }) => typeOf(object) === 'v1/Service').map(({ object }) => new Service(object as never));
const serviceNamed = (name: string): Service => {
  const found = services.find((candidate) => candidate.metadata?.name === name);
  if (!found) throw new Error(`no Service ${name} under deploy/kubernetes`);
  return found;
};
const service = serviceNamed('oz-liveness-service');
const internalService = serviceNamed('oz-liveness-service-internal');
const podSpec = deployment.spec!.template.spec!;
const container = podSpec.containers[0];
const podLabels = deployment.spec!.template.metadata?.labels;
const setting = (name: string): string => {
  const value = config.data?.[name];
  if (value === undefined) throw new Error(`the ConfigMap does not set ${name}`);
  return value;
};

describe('Kubernetes manifests: schemas and kustomization', () => {
  it.each(files.map((file) => [file.path, file]))('parses %s as YAML without errors or warnings', (_path, file) => {
    expect(file.errors).toEqual([]);
    expect(file.objects.length).toBeGreaterThan(0);
  });

  const resources = objects.filter(({ object }) => !String(object.apiVersion).startsWith('kustomize.config.k8s.io/'));
  it.each(resources.map(({ file, object }) => [`${typeOf(object)} of ${file}`, object]))('validates the %s against the schema of its kind', (_name, object) => {
    const schema = SCHEMAS[typeOf(object)];
    expect(schema).toBeDefined();
    expect(() => schema(object as never).validate()).not.toThrow();
  });

  const kustomizations = files.filter((file) => posix.basename(file.path) === 'kustomization.yaml');
  it.each(kustomizations.map((file) => [file.path, file]))('lists in %s only files that exist, and every manifest beside it', (path, file) => {
    const kustomization = file.objects[0] as { resources?: string[]; components?: string[] };
    const dir = posix.dirname(path);
    const listed = [...(kustomization.resources ?? []), ...(kustomization.components ?? [])].map((entry) => posix.normalize(posix.join(dir, entry)));
    for (const entry of listed) {
      const onDisk = join(MANIFEST_ROOT, entry);
      const exists = existsSync(onDisk) && (statSync(onDisk).isFile() || existsSync(join(onDisk, 'kustomization.yaml')));
      expect({ entry, exists }).toEqual({ entry, exists: true });
    }
    const beside = files
      .map((candidate) => candidate.path)
      .filter((candidate) => posix.dirname(candidate) === dir && candidate !== path && !candidate.endsWith('.example.yaml'));
    expect([...listed].filter((entry) => beside.includes(entry)).sort()).toEqual(beside);
  });

  it('keeps no manifest in a folder without a kustomization', () => {
    const folders = new Set(kustomizations.map((file) => posix.dirname(file.path)));
    const orphans = files.map((file) => file.path).filter((path) => !folders.has(posix.dirname(path)));

    expect(orphans).toEqual([]);
  });

  it('never lists the example Secret, so that applying the base cannot overwrite the real one', () => {
    const listedAnywhere = kustomizations.flatMap((file) => (file.objects[0] as { resources?: string[] }).resources ?? []);

    expect(files.map((file) => file.path)).toContain('secret.example.yaml');
    expect(listedAnywhere.filter((entry) => entry.endsWith('.example.yaml'))).toEqual([]);
  });

  it('maps the image of the container through the kustomization images', () => {
    const base = readManifest('kustomization.yaml').objects[0] as { images?: { name: string; newName?: string; newTag?: string }[] };

    expect(base.images?.map((image) => image.name)).toContain(container.image);
  });
});

describe('Kubernetes manifests: the Deployment serves the contract', () => {
  it('exposes the container port named http on PORT and the one named metrics on METRICS_PORT of the ConfigMap', () => {
    expect(containerPortNumber(container, 'http')).toBe(Number(setting('PORT')));
    expect(containerPortNumber(container, 'metrics')).toBe(Number(setting('METRICS_PORT')));
  });

  it('points the startup and liveness probes at /health/live and the readiness probe at /health/ready on PORT', () => {
    const probes = { startup: container.startupProbe, liveness: container.livenessProbe, readiness: container.readinessProbe };
    const wiring = Object.fromEntries(
      Object.entries(probes).map(([name, probe]) => [name, { path: probe?.httpGet?.path, port: containerPortNumber(container, probe?.httpGet?.port) }]),
    );
    const port = Number(setting('PORT'));

    expect(wiring).toEqual({
      startup: { path: '/health/live', port },
      liveness: { path: '/health/live', port },
      readiness: { path: '/health/ready', port },
    });
  });

  it('sleeps a few seconds in preStop and grants a grace period above SHUTDOWN_TIMEOUT_MS plus that sleep, itself above OZ_TIMEOUT_MS', () => {
    const sleep = preStopSleepSeconds(container);
    expect(sleep).toBeGreaterThanOrEqual(3);

    const shutdownMs = Number(setting('SHUTDOWN_TIMEOUT_MS'));
    expect(shutdownMs).toBeGreaterThan(Number(setting('OZ_TIMEOUT_MS')));
    expect((podSpec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(shutdownMs + sleep! * 1000);
  });

  it('keeps MAX_INFLIGHT_UPLOAD_BYTES at most half of the memory limit, and above MAX_CONTAINER_BYTES', () => {
    // The limit itself is proven under load by test/e2e/memory-budget.e2e-spec.ts.
    const { requests, limits } = container.resources ?? {};
    expect(Object.keys(requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    const memoryLimit = bytesOf(limits!.memory);
    const inflight = Number(setting('MAX_INFLIGHT_UPLOAD_BYTES'));

    expect(bytesOf(requests!.memory)).toBeLessThanOrEqual(memoryLimit);
    expect(inflight).toBeLessThanOrEqual(memoryLimit / 2);
    expect(inflight).toBeGreaterThanOrEqual(Number(setting('MAX_CONTAINER_BYTES')));
  });

  it('runs as uid 1000, non-root, with a read-only root, no privilege escalation, no capabilities and RuntimeDefault seccomp', () => {
    const effective = { ...podSpec.securityContext, ...container.securityContext };

    expect(effective).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(effective.capabilities?.add ?? []).toEqual([]);
    expect(effective.privileged ?? false).toBe(false);
  });

  it('mounts a writable emptyDir at /tmp, the one writable place under a read-only root', () => {
    const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === '/tmp');
    const volume = podSpec.volumes?.find((candidate) => candidate.name === mount?.name);

    expect(mount?.readOnly ?? false).toBe(false);
    expect(volume?.emptyDir).toBeDefined();
  });
});

describe('Kubernetes manifests: configuration and secrets', () => {
  it('sets only variables of docs/api.md §5 in the ConfigMap', () => {
    expect(Object.keys(config.data ?? {}).filter((name) => !isContractVariable(name))).toEqual([]);
    expect(config.binaryData ?? {}).toEqual({});
  });

  it('protects Oz with one OZ_CAPACITY for the whole deployment, sized for a minimal Oz, and asks no one to divide by the replica count', () => {
    expect(setting('OZ_CAPACITY')).toBe('3');
    const texts = yamlFilesUnder().map((path) => readFileSync(join(MANIFEST_ROOT, path), 'utf8'));
    expect(texts.filter((text) => /divided by|divide by/i.test(text))).toEqual([]);
  });

  it('keeps every secret key out of the ConfigMap', () => {
    expect(Object.keys(config.data ?? {}).filter((name) => SECRET_KEYS.includes(name))).toEqual([]);
  });

  it('gives the container the ConfigMap whole and each secret key from the Secret under its own name', () => {
    const fromSecret = (container.env ?? []).map((variable) => ({
      name: variable.name,
      secret: variable.valueFrom?.secretKeyRef?.name,
      key: variable.valueFrom?.secretKeyRef?.key,
      required: !variable.valueFrom?.secretKeyRef?.optional,
    }));
    const secretName = exampleSecret.metadata?.name;

    expect(container.envFrom).toEqual([{ configMapRef: { name: config.metadata?.name } }]);
    expect(fromSecret.map((variable) => variable.name).sort()).toEqual([...SECRET_KEYS].sort());
    expect(fromSecret.filter((variable) => variable.secret !== secretName || variable.key !== variable.name)).toEqual([]);
    expect(
      fromSecret
        .filter((variable) => variable.required)
        .map((variable) => variable.name)
        .sort(),
    ).toEqual([...REQUIRED_SECRET_KEYS].sort());
  });

  it('holds exactly the secret keys in the example Secret, each a REPLACE_ME placeholder', () => {
    const values = { ...exampleSecret.stringData, ...exampleSecret.data };

    expect(Object.keys(values).sort()).toEqual([...SECRET_KEYS].sort());
    expect(Object.entries(values).filter(([, value]) => !value.includes('REPLACE_ME'))).toEqual([]);
  });
});

describe('Kubernetes manifests: Service, disruption budget, autoscaler', () => {
  it('sends the Service port http to PORT and the port metrics to METRICS_PORT of the selected pods', () => {
    const target = (name: string) => containerPortNumber(container, service.spec?.ports?.find((port) => port.name === name)?.targetPort);

    expect(selects(service.spec?.selector, podLabels)).toBe(true);
    expect(target('http')).toBe(Number(setting('PORT')));
    expect(target('metrics')).toBe(Number(setting('METRICS_PORT')));
  });

  it('sends the internal routes to INTERNAL_PORT through a Service of their own, and the public Service never there', () => {
    const targets = (of: Service) => (of.spec?.ports ?? []).map((port) => containerPortNumber(container, port.targetPort));

    expect(selects(internalService.spec?.selector, podLabels)).toBe(true);
    expect(targets(internalService)).toEqual([Number(setting('INTERNAL_PORT'))]);
    expect(targets(service)).not.toContain(Number(setting('INTERNAL_PORT')));
    expect(containerPortNumber(container, 'internal')).toBe(Number(setting('INTERNAL_PORT')));
  });

  it('guards the pods of the Deployment with the disruption budget and still lets a drain evict one of them', () => {
    const budget = theOne('policy/v1/PodDisruptionBudget', (object) => new PodDisruptionBudget(object));
    const autoscaler = theOne('autoscaling/v2/HorizontalPodAutoscaler', (object) => new HorizontalPodAutoscaler(object));
    const { minAvailable, maxUnavailable } = budget.spec ?? {};

    expect(selects(deployment.spec?.selector, podLabels)).toBe(true);
    expect(selects(budget.spec?.selector, podLabels)).toBe(true);
    if (maxUnavailable !== undefined) expect(Number(maxUnavailable)).toBeGreaterThanOrEqual(1);
    else expect(Number(minAvailable)).toBeLessThan(autoscaler.spec!.minReplicas!);
  });

  it('keeps at least two replicas through the autoscaler, which alone sets the replica count', () => {
    const autoscaler = theOne('autoscaling/v2/HorizontalPodAutoscaler', (object) => new HorizontalPodAutoscaler(object));

    expect(autoscaler.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata?.name });
    expect(autoscaler.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    expect(autoscaler.spec!.maxReplicas).toBeGreaterThan(autoscaler.spec!.minReplicas!);
    expect(deployment.spec?.replicas ?? 2).toBeGreaterThanOrEqual(2);
  });
});

describe('Kubernetes manifests: who reaches the pods', () => {
  const policy = theOne('networking.k8s.io/v1/NetworkPolicy', (object) => new NetworkPolicy(object));

  it('applies the NetworkPolicy to the pods of the Deployment', () => {
    expect(selects(policy.spec?.podSelector, podLabels)).toBe(true);
  });

  /** Each peer's namespace and pod selectors, as the policy states them. */
  const selectorsOf = (peers: ReturnType<typeof peersReaching>) =>
    peers === 'anyone'
      ? 'anyone'
      : peers.map((peer) => ({ ipBlock: peer.ipBlock, namespaces: peer.namespaceSelector?.matchLabels, pods: peer.podSelector?.matchLabels }));

  it("lets only the ingress controller and the company's labelled namespaces reach the public port, so that no stranger can choose X-Forwarded-For", () => {
    // The company's backends open sessions with a key on PORT (§14, §16); the address limit does not count key calls.
    expect(selectorsOf(peersReaching(policy, container, Number(setting('PORT'))))).toEqual([
      { ipBlock: undefined, namespaces: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, pods: { 'app.kubernetes.io/name': 'ingress-nginx' } },
      { ipBlock: undefined, namespaces: { 'verification.example.com/internal-caller': 'true' }, pods: undefined },
    ]);
    expect(setting('TRUST_PROXY')).toBe('1');
  });

  it("lets only the company's labelled namespaces reach the internal port", () => {
    expect(selectorsOf(peersReaching(policy, container, Number(setting('INTERNAL_PORT'))))).toEqual([
      { ipBlock: undefined, namespaces: { 'verification.example.com/internal-caller': 'true' }, pods: undefined },
    ]);
  });

  it('restricts egress to named destinations: DNS on 53, and Oz, Redis, the webhook receiver and the OTLP collector on their ports', () => {
    const egress = policy.spec?.egress ?? [];
    const open = egress.filter((rule) => !rule.to?.length || !rule.ports?.length || rule.to.some((peer) => peer.ipBlock?.cidr === '0.0.0.0/0'));
    const ports = egress.flatMap((rule) => (rule.ports ?? []).map((port) => `${port.protocol ?? 'TCP'}/${String(port.port)}`));

    expect(policy.spec?.policyTypes).toEqual(expect.arrayContaining(['Ingress', 'Egress']));
    expect(open).toEqual([]);
    expect(ports).toEqual(expect.arrayContaining(['UDP/53', 'TCP/53', 'TCP/8080', 'TCP/6379', 'TCP/443', 'TCP/4318']));
  });

  it('lets only the monitoring namespace reach the metrics port', () => {
    const peers = peersReaching(policy, container, Number(setting('METRICS_PORT')));

    expect(peers).not.toBe('anyone');
    expect(peers).not.toEqual([]);
    for (const peer of peers as Exclude<typeof peers, 'anyone'>) {
      expect({ ipBlock: peer.ipBlock, namespaceSelector: peer.namespaceSelector }).toEqual({
        ipBlock: undefined,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      });
    }
  });

  it('opens no other port of the pods', () => {
    expect(peersReaching(policy, container, 1)).toEqual([]);
  });
});

describe('Kubernetes manifests: the optional ServiceMonitor component', () => {
  const monitor = theOne('monitoring.coreos.com/v1/ServiceMonitor', (object) => new ServiceMonitor(object));
  const componentDir = 'components/service-monitor';

  it('scrapes /metrics on the Service port that leads to METRICS_PORT', () => {
    const endpoints = monitor.spec.endpoints.map((endpoint) => ({
      path: endpoint.path ?? '/metrics',
      target: containerPortNumber(container, service.spec?.ports?.find((port) => port.name === endpoint.port)?.targetPort),
    }));

    expect(selects(monitor.spec.selector, service.metadata?.labels)).toBe(true);
    expect(endpoints).toEqual([{ path: '/metrics', target: Number(setting('METRICS_PORT')) }]);
  });

  it('is a Kustomize Component that the base leaves out, so that the base applies without the Prometheus Operator', () => {
    const component = readManifest(`${componentDir}/kustomization.yaml`).objects[0];
    const base = readManifest('kustomization.yaml').objects[0] as { components?: string[]; resources?: string[] };
    const inBase = [...(base.components ?? []), ...(base.resources ?? [])].map((entry) => posix.normalize(entry));

    expect(component).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component' });
    expect(inBase.filter((entry) => entry.startsWith(componentDir))).toEqual([]);
  });
});
