import { buildContainer, buildReferenceImage } from '../oz-emulator';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver';
import { call, createSession, internal, uploadContainer } from './http';
import { analysedSession, matchFaces, readBestShot, referenceForm, viewSession } from './internal.helpers';
import { jwtSecretParts, middleSample, occurrences, sampleForms, textForms } from './ops.helpers';
import { secondsOf, sleep, startWebhookStack, waitUntil, type WebhookStack } from './webhooks.helpers';

/** The exact key set of a body of contract §10: nothing else, so no score, image or token can ride along. */
const payload = (type: string, timestamp: string, data: Record<string, unknown>) => ({
  type,
  timestamp,
  data: { sessionId: expect.any(String), subjectId: null, decision: null, reason: null, folderId: null, eventSessionId: null, error: null, ...data },
});

/** Every request the receiver got verified with the `standardwebhooks` library against WEBHOOK_SECRET. */
function expectAllVerified(receiver: WebhookReceiver): void {
  expect(receiver.requests().map((request) => request.verificationError)).toEqual(receiver.requests().map(() => null));
}

function expectStandardHeaders(request: ReceivedRequest): void {
  expect(request.method).toBe('POST');
  expect(request.path).toBe('/hooks/verification');
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers['webhook-id']).toMatch(/^evt_[0-9a-f]{32}$/);
  // The Unix second of the attempt (the receiver's clock is the test's).
  expect(secondsOf(request.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(Math.floor(request.receivedAt / 1000) - 1);
  expect(secondsOf(request.headers['webhook-timestamp'])).toBeLessThanOrEqual(Math.floor(request.receivedAt / 1000));
  expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
}

/** Every number in a JSON value, with the key it sits under. */
function numbersIn(value: unknown, key = ''): [string, number][] {
  if (typeof value === 'number') return [[key, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) => numbersIn(inner, name));
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
    expect(raw).not.toMatch(/score|similarity|confidence|image|b64|token|receipt|checks/i);
    // The only numbers in a body are Oz error codes; a score (0.03, 0.97) has nowhere to hide.
    const numbers = hooks.receiver.requests().flatMap((request) => numbersIn(JSON.parse(request.body)));
    expect(numbers).toContainEqual(['ozErrorCode', 4]);
    expect(numbers.filter(([key, number]) => key !== 'ozErrorCode' || !Number.isInteger(number))).toEqual([]);
  });
});

describe('webhook retries (the in-memory queue)', () => {
  let hooks: WebhookStack | null = null;
  afterEach(async () => {
    const closing = hooks;
    hooks = null;
    await closing?.close();
    if (closing) expectAllVerified(closing.receiver);
  });

  it('retries an event answered 500 after WEBHOOK_BACKOFF_MS, then 4× longer, with the same webhook-id and body and a new timestamp', async () => {
    hooks = await startWebhookStack({ WEBHOOK_BACKOFF_MS: '400' });
    hooks.receiver.answer((_request, index) => ({ status: index < 2 ? 500 : 204 }));

    const { sessionId } = await analysedSession(hooks.stack.service.url);
    const attempts = await hooks.receiver.waitForRequests(3);

    expect(attempts.map((request) => request.status)).toEqual([500, 500, 204]);
    expect(new Set(attempts.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(new Set(attempts.map((request) => request.body)).size).toBe(1);
    expect(attempts[0].payload.data.sessionId).toBe(sessionId);
    for (const attempt of attempts) expectStandardHeaders(attempt);
    expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(400);
    expect(attempts[2].receivedAt - attempts[1].receivedAt).toBeGreaterThanOrEqual(1_600);
    // 2 s apart: each attempt is signed at its own time.
    expect(secondsOf(attempts[2].headers['webhook-timestamp'])).toBeGreaterThan(secondsOf(attempts[0].headers['webhook-timestamp']));
    expect(attempts[2].headers['webhook-signature']).not.toBe(attempts[0].headers['webhook-signature']);
    await waitUntil(() => hooks?.outcomes.length === 3, 'three outcomes');
    expect(hooks.outcomes).toEqual(['failed_attempt', 'failed_attempt', 'delivered']);
  });

  it('retries an attempt that got no answer within WEBHOOK_TIMEOUT_MS', async () => {
    hooks = await startWebhookStack({ WEBHOOK_TIMEOUT_MS: '200' });
    hooks.receiver.answer((_request, index) => (index === 0 ? { status: 200, delayMs: 2_000 } : { status: 200 }));

    await analysedSession(hooks.stack.service.url);
    const [late, answered] = await hooks.receiver.waitForRequests(2);

    expect(answered.headers['webhook-id']).toBe(late.headers['webhook-id']);
    expect(answered.receivedAt - late.receivedAt).toBeGreaterThanOrEqual(200);
    await waitUntil(() => hooks?.outcomes.length === 2, 'two outcomes');
    expect(hooks.outcomes).toEqual(['failed_attempt', 'delivered']);
  });

  it('keeps retrying while the receiver refuses connections, and delivers once it listens again', async () => {
    const receiver = await startWebhookReceiver({ listening: false });
    hooks = await startWebhookStack({ WEBHOOK_MAX_ATTEMPTS: '6' }, receiver);

    await analysedSession(hooks.stack.service.url);
    await waitUntil(() => hooks?.outcomes.length === 2, 'two refused attempts');
    await receiver.listen();
    const [delivery] = await receiver.waitForDeliveries(1);

    expect(hooks.outcomes).toEqual(['failed_attempt', 'failed_attempt', 'delivered']);
    expect(receiver.requests()).toEqual([delivery]);
    expectStandardHeaders(delivery);
  });

  it('never follows a redirect (a 3xx is a failed attempt) and gives the event up after WEBHOOK_MAX_ATTEMPTS', async () => {
    const elsewhere = await startWebhookReceiver();
    try {
      hooks = await startWebhookStack({ WEBHOOK_MAX_ATTEMPTS: '3' });
      hooks.receiver.answer(() => ({ status: 307, headers: { location: elsewhere.url } }));

      await analysedSession(hooks.stack.service.url);
      await waitUntil(() => hooks?.outcomes.includes('gave_up') === true, 'the event is given up');
      // The next retry would have come 50 × 4² ms after the third attempt.
      await sleep(1_000);

      expect(hooks.receiver.requests().map((request) => request.status)).toEqual([307, 307, 307]);
      expect(new Set(hooks.receiver.requests().map((request) => request.headers['webhook-id'])).size).toBe(1);
      expect(elsewhere.requests()).toEqual([]);
      expect(hooks.outcomes).toEqual(['failed_attempt', 'failed_attempt', 'failed_attempt', 'gave_up']);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('webhooks when WEBHOOK_URL is unset', () => {
  it('queues and sends nothing, and the service answers as usual', async () => {
    const receiver = await startWebhookReceiver();
    const { startStack } = await import('../app.factory');
    const stack = await startStack();
    try {
      const { upload } = await analysedSession(stack.service.url);
      expect(upload.status).toBe(201);
      await sleep(300);
      expect(receiver.requests()).toEqual([]);
      expect((await call(`${stack.service.url}/health/ready`)).status).toBe(200);
    } finally {
      await stack.close();
      await receiver.close();
    }
  });
});
