import { buildContainer, buildReferenceImage } from '../oz-emulator';
import { createSession, internal, uploadContainer } from './http';
import { analysedSession, matchFaces, readBestShot, referenceForm, viewSession } from './internal.helpers';
import { jwtSecretParts, middleSample, occurrences, sampleForms, textForms } from './ops.helpers';
import { expectAllVerified, expectStandardHeaders, startWebhookStack, waitUntil, type WebhookStack } from './webhooks.helpers';

/** The exact key set of a body of docs/api.md §10: nothing else, so no score, image or token can ride along. */
const payload = (type: string, timestamp: string, data: Record<string, unknown>) => ({
  type,
  timestamp,
  data: {
    sessionId: expect.any(String),
    subjectId: null,
    subjectVerified: false,
    decision: null,
    reason: null,
    folderId: null,
    eventSessionId: null,
    error: null,
    ...data,
  },
});

/** Every number in a JSON value, with the key it sits under. */
function numbersIn(value: unknown, key = ''): [string, number][] {
  if (typeof value === 'number') return [[key, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) => numbersIn(inner, name));
}

/** Every key of a JSON value, at any depth. */
function namesIn(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) => [name, ...namesIn(inner)]);
}

describe('webhooks without Redis (the in-memory queue)', () => {
  let hooks: WebhookStack;
  const url = () => hooks.stack.service.url;
  const deliveriesOf = (sessionId: string) => hooks.receiver.deliveries().filter((request) => request.payload?.data?.sessionId === sessionId);
  const waitForDeliveriesOf = async (sessionId: string, count: number) => {
    await waitUntil(() => deliveriesOf(sessionId).length >= count, `${count} deliveries for session ${sessionId}`);
    return deliveriesOf(sessionId);
  };

  beforeAll(async () => {
    hooks = await startWebhookStack();
  });
  afterAll(() => hooks.close());
  afterEach(() => expectAllVerified(hooks.receiver));

  it.each([
    ['live', 'accepted', 'LIVENESS_PASSED'],
    ['spoof', 'rejected', 'LIVENESS_DECLINED'],
    ['analysis-error', 'inconclusive', 'ANALYSIS_FAILED'],
  ] as const)(
    'POSTs verification.completed, signed, with the thin payload of §10 when an upload of scenario %s was recorded',
    async (scenario, decision, reason) => {
      const { sessionId, upload } = await analysedSession(url(), { scenario, subjectId: `subject-${scenario}`, eventSessionId: `evt-session-${scenario}` });
      expect(upload.status).toBe(201);

      const [delivery] = await waitForDeliveriesOf(sessionId, 1);

      expectStandardHeaders(delivery);
      expect(JSON.parse(delivery.body)).toEqual(
        payload('verification.completed', upload.body.completedAt, {
          sessionId,
          subjectId: `subject-${scenario}`,
          decision,
          reason,
          folderId: upload.body.folderId,
          eventSessionId: `evt-session-${scenario}`,
        }),
      );
      expect(delivery.payload).toEqual(JSON.parse(delivery.body));
    },
  );

  it('POSTs verification.failed with the error code and Oz code, and no decision, when a container error failed the session', async () => {
    const { sessionId, sessionToken } = await createSession(url(), { subjectId: 'subject-damaged' });
    const upload = await uploadContainer(url(), sessionId, buildContainer({ token: sessionToken, scenario: 'damaged' }));
    expect(upload.status).toBe(422);

    const [delivery] = await waitForDeliveriesOf(sessionId, 1);

    expectStandardHeaders(delivery);
    expect(delivery.payload).toEqual(
      payload('verification.failed', hooks.stack.service.clock.now().toISOString(), {
        sessionId,
        subjectId: 'subject-damaged',
        error: { code: 'CONTAINER_DAMAGED', ozErrorCode: 5 },
      }),
    );
  });

  it('POSTs biometry.completed with the recomputed decision and the face match’s own folder, under a new event id, after each face match', async () => {
    const { sessionId, upload } = await analysedSession(url(), { person: 'hook-bio', subjectId: 'subject-bio', eventSessionId: 'evt-session-bio' });
    const [liveness] = await waitForDeliveriesOf(sessionId, 1);
    hooks.stack.proxy.rewriteNextFolder((folder) => ({ ...folder, folder_id: 'face-match-folder-1' }));
    expect((await matchFaces(url(), sessionId, referenceForm(buildReferenceImage('hook-bio')))).status).toBe(201);
    hooks.stack.proxy.rewriteNextFolder((folder) => ({ ...folder, folder_id: 'face-match-folder-2' }));
    expect((await matchFaces(url(), sessionId, referenceForm(buildReferenceImage('someone-else')))).status).toBe(201);

    const [, matched, mismatched] = await waitForDeliveriesOf(sessionId, 3);

    const recordedAt = hooks.stack.service.clock.now().toISOString();
    const ids = { sessionId, subjectId: 'subject-bio', eventSessionId: 'evt-session-bio' };
    expect(matched.payload).toEqual(
      payload('biometry.completed', recordedAt, { ...ids, decision: 'accepted', reason: 'FACE_MATCHED', folderId: 'face-match-folder-1' }),
    );
    expect(mismatched.payload).toEqual(
      payload('biometry.completed', recordedAt, { ...ids, decision: 'rejected', reason: 'FACE_MISMATCH', folderId: 'face-match-folder-2' }),
    );
    expect(matched.payload.data.folderId).not.toBe(upload.body.folderId);
    expect(new Set([liveness, matched, mismatched].map((request) => request.headers['webhook-id'])).size).toBe(3);
  });

  it('sends nothing again when a client retries the same container (a replay), nor for a session only opened', async () => {
    const { sessionId, sessionToken } = await createSession(url());
    const container = buildContainer({ token: sessionToken });
    expect((await uploadContainer(url(), sessionId, container)).status).toBe(201);
    await waitForDeliveriesOf(sessionId, 1);
    const { sessionId: untouched } = await createSession(url());

    expect((await uploadContainer(url(), sessionId, container)).status).toBe(200);
    const { sessionId: later } = await analysedSession(url());
    await waitForDeliveriesOf(later, 1);

    expect(deliveriesOf(sessionId)).toHaveLength(1);
    expect(hooks.receiver.requests().filter((request) => request.payload?.data?.sessionId === untouched)).toEqual([]);
  });

  it('sends no score, image, token, key or receipt in any body or header of any event (raw bytes searched)', async () => {
    const secrets: Record<string, string[]> = {
      'webhook secret': [hooks.receiver.secret, hooks.receiver.secret.slice('whsec_'.length)],
      'API key': [internal()['x-api-key']],
    };
    const { sessionId, sessionToken } = await createSession(url(), { subjectId: 'subject-secrets' });
    const container = buildContainer({ token: sessionToken, person: 'hook-secrets' });
    const upload = await uploadContainer(url(), sessionId, container);
    const reference = buildReferenceImage('hook-secrets');
    expect((await matchFaces(url(), sessionId, referenceForm(reference))).status).toBe(201);
    const failed = await createSession(url());
    await uploadContainer(url(), failed.sessionId, buildContainer({ token: failed.sessionToken, scenario: 'no-media' }));
    const view = await viewSession(url(), sessionId);
    const bestShot = await readBestShot(url(), sessionId);
    expect(bestShot.status).toBe(200);
    Object.assign(secrets, {
      'session token': [...jwtSecretParts(sessionToken), ...jwtSecretParts(failed.sessionToken)],
      receipt: [...jwtSecretParts(upload.body.receipt), ...jwtSecretParts(view.body.result.receipt)],
      container: sampleForms(middleSample(container)),
      'best shot': [...sampleForms(middleSample(bestShot.bytes)), ...textForms(bestShot.bytes.subarray(0, 48))],
      reference: sampleForms(middleSample(reference)),
    });

    await waitForDeliveriesOf(sessionId, 2);
    await waitForDeliveriesOf(failed.sessionId, 1);

    const raw = hooks.receiver
      .requests()
      .map((request) => `${JSON.stringify(request.headers)}\n${request.body}`)
      .join('\n');
    expect(occurrences(raw, secrets)).toEqual([]);
    // Names only: ids and signatures are random hex and base64, where 'b64' turns up by chance.
    const names = hooks.receiver.requests().flatMap((request) => [...Object.keys(request.headers), ...namesIn(JSON.parse(request.body))]);
    expect(names).toContain('ozErrorCode');
    expect(names.filter((name) => /score|similarity|confidence|image|b64|token|receipt|checks/i.test(name))).toEqual([]);
    // The only numbers in a body are Oz error codes; a score (0.03, 0.97) has nowhere to hide.
    const numbers = hooks.receiver.requests().flatMap((request) => numbersIn(JSON.parse(request.body)));
    expect(numbers).toContainEqual(['ozErrorCode', 4]);
    expect(numbers.filter(([key, number]) => key !== 'ozErrorCode' || !Number.isInteger(number))).toEqual([]);
  });
});
