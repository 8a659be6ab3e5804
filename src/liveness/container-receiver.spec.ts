import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { BodyLimits } from '../admission/body-limits';
import type { LimitsConfig } from '../config';
import { ContainerReceiver } from './container-receiver';
import { UploadBudget } from '../admission/upload-budget';
import { UploadMeters } from '../admission/upload-meter';

const ADDRESS = '203.0.113.7';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function streamOf(...chunks: Buffer[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}

function receiverWith(maxContainerBytes: number, maxInflightUploadBytes = 1_000_000) {
  const limits: LimitsConfig = {
    maxContainerBytes,
    maxImageBytes: 1_000,
    maxInflightUploadBytes,
    // One address in these tests: its share is not what they are about (upload-budget.spec.ts).
    maxInflightUploadBytesPerAddress: Number.MAX_SAFE_INTEGER,
    minUploadBytesPerSecond: 1,
    maxReferencePixels: 1_000,
  };
  const budget = new UploadBudget(limits);
  return { receiver: new ContainerReceiver(new UploadMeters(budget, limits, 10_000), new BodyLimits(limits)), budget };
}

describe('ContainerReceiver', () => {
  const body = randomBytes(10_000);
  const chunks = [body.subarray(0, 3_000), body.subarray(3_000, 3_001), body.subarray(3_001)];

  it('returns the exact bytes, in the chunks they came in, and their SHA-256 when the length is declared', async () => {
    const { receiver } = receiverWith(20_000);
    const read = await receiver.receive(streamOf(...chunks), body.length, ADDRESS);

    expect(Buffer.concat(read.chunks).equals(body)).toBe(true);
    expect(read.chunks).toHaveLength(3);
    expect(read.length).toBe(body.length);
    expect(read.sha256).toBe(sha256(body));
  });

  it('returns the exact bytes and their SHA-256 for a chunked body without a length', async () => {
    const { receiver } = receiverWith(20_000);
    const read = await receiver.receive(streamOf(...chunks), null, ADDRESS);

    expect(Buffer.concat(read.chunks).equals(body)).toBe(true);
    expect(read.sha256).toBe(sha256(body));
  });

  it('refuses a chunked body with 413 as soon as it passes the limit, before it ends', async () => {
    const { receiver } = receiverWith(5_000);
    const payload = new PassThrough();
    const result = receiver.receive(payload, null, ADDRESS);
    payload.write(body.subarray(0, 4_000));
    payload.write(body.subarray(4_000, 6_000));

    await expect(result).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(payload.writableEnded).toBe(false);
  });

  it('refuses a body shorter than its declared length with 400', async () => {
    const { receiver } = receiverWith(20_000);
    await expect(receiver.receive(streamOf(body.subarray(0, 100)), 200, ADDRESS)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses a body longer than its declared length with 400', async () => {
    const { receiver } = receiverWith(20_000);
    await expect(receiver.receive(streamOf(body.subarray(0, 300)), 200, ADDRESS)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('gives no bytes for an empty body', async () => {
    const { receiver } = receiverWith(20_000);
    const read = await receiver.receive(streamOf(), 0, ADDRESS);

    expect(read.length).toBe(0);
    expect(read.chunks).toEqual([]);
  });

  it('rejects with 400, not a defect, when the stream fails because the client went away', async () => {
    const { receiver } = receiverWith(20_000);
    const payload = new PassThrough();
    const result = receiver.receive(payload, 100, ADDRESS);
    payload.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));

    await expect(result).rejects.toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });

  it('refuses at once with 503 SERVICE_BUSY, reading nothing, a declared length the budget cannot take', async () => {
    const { receiver, budget } = receiverWith(20_000, 15_000);
    const held = await receiver.receive(streamOf(body), body.length, ADDRESS);
    const payload = new PassThrough();
    const read = jest.spyOn(payload, 'on');

    await expect(receiver.receive(payload, 6_000, ADDRESS)).rejects.toMatchObject({
      code: 'SERVICE_BUSY',
      status: 503,
      retryable: true,
      headers: { connection: 'close' },
    });
    expect(read).not.toHaveBeenCalled();
    expect(budget.bytesInUse).toBe(10_000);
    held.release();
    expect(budget.bytesInUse).toBe(0);
  });

  it('counts a chunked body against the budget as it arrives, and refuses it the moment it would pass', async () => {
    const { receiver, budget } = receiverWith(20_000, 5_000);
    const payload = new PassThrough();
    const result = receiver.receive(payload, null, ADDRESS);
    payload.write(body.subarray(0, 3_000));
    payload.write(body.subarray(3_000, 6_000));

    await expect(result).rejects.toMatchObject({ code: 'SERVICE_BUSY' });
    expect(budget.bytesInUse).toBe(0);
  });

  it('gives every byte back to the budget when a read fails', async () => {
    const { receiver, budget } = receiverWith(20_000);
    await expect(receiver.receive(streamOf(body.subarray(0, 100)), 200, ADDRESS)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });

    expect(budget.bytesInUse).toBe(0);
  });
});
