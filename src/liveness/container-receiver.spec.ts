import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { readContainerBody } from './container-body';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function streamOf(...chunks: Buffer[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}

describe('readContainerBody', () => {
  const body = randomBytes(10_000);
  const chunks = [body.subarray(0, 3_000), body.subarray(3_000, 3_001), body.subarray(3_001)];

  it('returns the exact bytes and their SHA-256 when the length is declared', async () => {
    const read = await readContainerBody(streamOf(...chunks), String(body.length), 20_000);

    expect(read.bytes.equals(body)).toBe(true);
    expect(read.sha256).toBe(sha256(body));
  });

  it('returns the exact bytes and their SHA-256 for a chunked body without a length', async () => {
    const read = await readContainerBody(streamOf(...chunks), undefined, 20_000);

    expect(read.bytes.equals(body)).toBe(true);
    expect(read.sha256).toBe(sha256(body));
  });

  it('refuses a declared length over the limit with 413 before reading anything', async () => {
    const payload = new PassThrough();
    const read = jest.spyOn(payload, 'on');

    await expect(readContainerBody(payload, '20001', 20_000)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(read).not.toHaveBeenCalled();
  });

  it('refuses a chunked body with 413 as soon as it passes the limit, before it ends', async () => {
    const payload = new PassThrough();
    const result = readContainerBody(payload, undefined, 5_000);
    payload.write(body.subarray(0, 4_000));
    payload.write(body.subarray(4_000, 6_000));

    await expect(result).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(payload.writableEnded).toBe(false);
  });

  it('refuses a body shorter than its declared length with 400', async () => {
    await expect(readContainerBody(streamOf(body.subarray(0, 100)), '200', 20_000)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('gives an empty buffer for an empty body', async () => {
    const read = await readContainerBody(streamOf(), '0', 20_000);

    expect(read.bytes.length).toBe(0);
  });

  it('rejects with 400, not a defect, when the stream fails because the client went away', async () => {
    const payload = new PassThrough();
    const result = readContainerBody(payload, '100', 20_000);
    payload.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));

    await expect(result).rejects.toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });
});
