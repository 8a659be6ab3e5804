import { startStack, type Stack } from '../app.factory';
import { pngHead } from '../fixtures/reference-images';
import { buildReferenceImage } from '../oz-emulator';
import { analysedSession, expectProblem, matchFaces, referenceForm, viewSession } from './internal.helpers';
import { folderCalls } from './liveness.helpers';

/** The 64 × 64 pixels of the emulator's reference JPEGs, as MAX_REFERENCE_PIXELS: the largest reference allowed here. */
const MAX_REFERENCE_PIXELS = 64 * 64;

/**
 * A reference's header is decoded and its pixels bounded before Oz sees it (docs/api.md §16):
 * before, a 3-byte "JPEG" and a PNG that declares 50,000 × 50,000 pixels went to Oz
 * (docs/reliability.md).
 */
describe('the reference image, checked before Oz', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ MAX_REFERENCE_PIXELS: String(MAX_REFERENCE_PIXELS) });
  });
  afterAll(() => stack.close());

  async function acceptedSession(person: string) {
    const session = await analysedSession(stack.service.url, { person });
    const before = await viewSession(stack.service.url, session.sessionId);
    stack.emulator.clearRequests();
    return { sessionId: session.sessionId, before: before.body };
  }

  it.each([
    ['the 3 bytes FF D8 FF', Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg'],
    ['a JPEG with a scan and no frame', Buffer.from('ffd8ffda000801010000003f00ffd9', 'hex'), 'image/jpeg'],
    ['a PNG that declares 50,000 × 50,000 pixels', pngHead(50_000, 50_000), 'image/png'],
    ['a PNG one pixel row over MAX_REFERENCE_PIXELS', pngHead(64, 65), 'image/png'],
    ['a PNG whose IHDR does not check', pngHead(64, 64, { crc: 0 }), 'image/png'],
  ])('answers 422 REFERENCE_INVALID without calling Oz for %s, the session as it was', async (_, bytes, type) => {
    const { sessionId, before } = await acceptedSession('header-person');

    const answer = await matchFaces(stack.service.url, sessionId, referenceForm(bytes, 'document', { type, name: type === 'image/png' ? 'r.png' : 'r.jpg' }));

    expectProblem(answer, 422, 'REFERENCE_INVALID', { retryable: false });
    expect(folderCalls(stack.emulator)).toEqual([]);
    expect((await viewSession(stack.service.url, sessionId)).body).toEqual(before);
  });

  it('matches a reference of exactly MAX_REFERENCE_PIXELS', async () => {
    const { sessionId } = await acceptedSession('header-person');

    const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('header-person')));

    expect({ status: answer.status, decision: answer.body.result.decision, calls: folderCalls(stack.emulator).length }).toEqual({
      status: 201,
      decision: 'accepted',
      calls: 1,
    });
  });
});
