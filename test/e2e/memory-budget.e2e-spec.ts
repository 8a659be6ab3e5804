import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { API_KEY } from '../app.factory';
import { bytesOf, theOne } from '../deploy/kubernetes.manifests';
import { buildContainer, buildReferenceImage, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { rawUpload } from '../support/abusive-client';
import { MiB, residentBytes, watchPeakRss } from '../support/process-memory';
import { createSession } from './http';
import { analysedSession, referenceForm } from './internal.helpers';
import { type RunningService, spawnService } from './ops.helpers';

jest.setTimeout(120_000);

/** `<status> <problem code or decision>` of one answer. */
type Outcome = string;

/** The ConfigMap and the memory limit of deploy/kubernetes: what a pod really runs with. */
const shipped = theOne('v1/ConfigMap', (object) => new ConfigMap(object)).data ?? {};
const container = theOne('apps/v1/Deployment', (object) => new Deployment(object)).spec!.template.spec!.containers[0];
const MEMORY_LIMIT = bytesOf(container.resources!.limits!.memory);
const LIMITS = ['MAX_CONTAINER_BYTES', 'MAX_IMAGE_BYTES', 'MAX_INFLIGHT_UPLOAD_BYTES', 'MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS', 'OZ_MAX_CONCURRENCY'];
const setting = (name: string) => Number(shipped[name]);

/** Oz's capacity per replica: every face match and upload of a burst may be with Oz at once. */
const CONCURRENCY = setting('OZ_MAX_CONCURRENCY');
/** Enough containers of the largest size to fill the whole upload budget and then some. */
const UPLOADS = Math.ceil(setting('MAX_INFLIGHT_UPLOAD_BYTES') / setting('MAX_CONTAINER_BYTES')) + 2;

/**
 * The pod's memory limit follows from the budgets (deploy/kubernetes/README.md); this proves it on
 * the built service with the shipped settings: bursts of face matches with references of
 * MAX_IMAGE_BYTES at OZ_MAX_CONCURRENCY, together with containers of MAX_CONTAINER_BYTES past the
 * upload budget, keep its resident memory under the Deployment's limit. Before, the second such
 * burst took a replica past 512 MiB (docs/reliability.md). Each client speaks for an address of
 * its own (TRUST_PROXY), as many phones would.
 */
describe('memory of a replica under the largest bodies at the highest concurrency', () => {
  let emulator: OzEmulator;
  let service: RunningService;
  let reference: { body: Buffer; type: string };
  let address = 0;

  beforeAll(async () => {
    emulator = await startOzEmulator();
    const env = Object.fromEntries(LIMITS.map((name) => [name, String(setting(name))]));
    service = await spawnService({ ...env, OZ_API_URL: emulator.url, INTERNAL_API_KEYS: API_KEY, TRUST_PROXY: 'true', LOG_LEVEL: 'warn' });
    const image = buildReferenceImage('memory-person');
    const form = new Request('http://form.invalid/', {
      method: 'POST',
      body: referenceForm(Buffer.concat([image, Buffer.alloc(setting('MAX_IMAGE_BYTES') - image.length)])),
    });
    reference = { body: Buffer.from(await form.arrayBuffer()), type: form.headers.get('content-type') ?? '' };
  });
  afterAll(async () => {
    await service?.stop();
    await emulator?.close();
  });

  const nextAddress = () => `198.51.100.${(address++ % 250) + 1}`;
  /** A client that keeps reading while it writes: a refusal (Connection: close) arrives even when the body is not all sent. */
  async function send(path: string, headers: Record<string, string>, body: Buffer): Promise<Outcome> {
    const outcome = await rawUpload({
      url: service.url,
      path,
      headers: { ...headers, 'content-length': String(body.length), 'x-forwarded-for': nextAddress() },
      bodyBytes: body.length,
      body,
      timeoutMs: 60_000,
    });
    outcome.socket.destroy();
    const answer = outcome.body ? (JSON.parse(outcome.body) as { code?: string; decision?: string; result?: { decision: string } }) : {};
    return `${outcome.status} ${answer.code ?? answer.result?.decision ?? answer.decision}`;
  }

  const match = (sessionId: string) => send(`/v1/sessions/${sessionId}/biometry`, { 'content-type': reference.type, 'x-api-key': API_KEY }, reference.body);

  async function largestUpload(): Promise<() => Promise<Outcome>> {
    const { sessionId, sessionToken } = await createSession(service.url);
    const body = buildContainer({ token: sessionToken, person: 'memory-person', mediaBytes: setting('MAX_CONTAINER_BYTES') - 4096 });
    return () => send(`/v1/sessions/${sessionId}/liveness`, { 'content-type': 'application/octet-stream', authorization: `Bearer ${sessionToken}` }, body);
  }

  async function burst(sessions: string[]): Promise<Outcome[]> {
    const uploads = await Promise.all(Array.from({ length: UPLOADS }, largestUpload));
    return Promise.all([...sessions.map(match), ...uploads.map((upload) => upload())]);
  }

  it('stays under the memory limit of the Deployment through two bursts, answering each call 201 or 503', async () => {
    const sessions = await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => (await analysedSession(service.url, { person: 'memory-person' })).sessionId),
    );
    // The first calls load and compile code: the baseline is taken after them.
    await match(sessions[0]);
    await (
      await largestUpload()
    )();
    const baseline = residentBytes(service.pid);
    const peak = watchPeakRss(service.pid);

    const answers = [...(await burst(sessions)), ...(await burst(sessions))];
    const highest = peak.stop();
    const outcomes = new Set(answers);
    expect([...outcomes].filter((outcome) => !['201 accepted', '503 SERVICE_BUSY', '503 UPSTREAM_UNAVAILABLE'].includes(outcome))).toEqual([]);
    expect(outcomes).toContain('201 accepted');
    // The figures are in the failure message, for deploy/kubernetes/README.md.
    expect({ baselineMiB: Math.round(baseline / MiB), peakMiB: Math.round(highest / MiB), underLimit: highest < MEMORY_LIMIT }).toEqual({
      baselineMiB: expect.any(Number),
      peakMiB: expect.any(Number),
      underLimit: true,
    });
  });
});
