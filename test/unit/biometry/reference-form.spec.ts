import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError } from '../../../src/common/app-error';
import { JPEG_BYTES } from '../../fixtures/oz-folders';
import { readReferenceForm } from '../../../src/biometry/reference-form';

const MAX_IMAGE_BYTES = 64;
const BOUNDARY = '----unit-boundary';

type Part = { name: string; value: string } | { name: string; filename: string; bytes: Buffer };

function form(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const file = 'filename' in part;
    const disposition = `form-data; name="${part.name}"${file ? `; filename="${part.filename}"` : ''}`;
    const head = `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${file ? 'Content-Type: image/jpeg\r\n' : ''}\r\n`;
    chunks.push(Buffer.from(head), file ? part.bytes : Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const reference = (bytes = JPEG_BYTES): Part => ({ name: 'reference', filename: 'reference.jpg', bytes });

/** What readReferenceForm gave or threw, as a plain object the test can compare. */
type Outcome = { reference: string; referenceType: string } | { code: string; status: number } | { failed: string };

describe('readReferenceForm', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    await app.register(multipart);
    app.post('/form', async (request): Promise<Outcome> => {
      try {
        const read = await readReferenceForm(request, MAX_IMAGE_BYTES);
        return { reference: read.reference.toString('hex'), referenceType: read.referenceType };
      } catch (error) {
        if (error instanceof AppError) return { code: error.code, status: error.status };
        return { failed: (error as { code?: string }).code ?? String(error) };
      }
    });
    await app.ready();
  });

  afterAll(() => app.close());

  async function read(parts: Part[]): Promise<Outcome> {
    const response = await app.inject({
      method: 'POST',
      url: '/form',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      payload: form(parts),
    });
    return response.json();
  }

  it('reads the reference bytes exactly and defaults referenceType to document', async () => {
    await expect(read([reference()])).resolves.toEqual({ reference: JPEG_BYTES.toString('hex'), referenceType: 'document' });
  });

  it.each(['document', 'selfie'])('reads referenceType %s, before or after the file part', async (referenceType) => {
    await expect(read([{ name: 'referenceType', value: referenceType }, reference()])).resolves.toEqual({
      reference: JPEG_BYTES.toString('hex'),
      referenceType,
    });
    await expect(read([reference(), { name: 'referenceType', value: referenceType }])).resolves.toEqual({
      reference: JPEG_BYTES.toString('hex'),
      referenceType,
    });
  });

  it.each([
    ['there is no part at all', []],
    ['the reference file part is missing', [{ name: 'referenceType', value: 'selfie' }]],
    ['reference is a text part', [{ name: 'reference', value: 'not a file' }]],
    ['there are two reference file parts', [reference(), reference()]],
    ['there are two referenceType parts', [reference(), { name: 'referenceType', value: 'selfie' }, { name: 'referenceType', value: 'selfie' }]],
    ['an unknown file part comes along', [reference(), { name: 'other', filename: 'x.jpg', bytes: JPEG_BYTES }]],
    ['an unknown text part comes along', [reference(), { name: 'note', value: 'hi' }]],
    ['referenceType is passport', [reference(), { name: 'referenceType', value: 'passport' }]],
    ['referenceType is in another case', [reference(), { name: 'referenceType', value: 'Selfie' }]],
    ['referenceType is empty', [reference(), { name: 'referenceType', value: '' }]],
    ['referenceType has a trailing space', [reference(), { name: 'referenceType', value: 'document ' }]],
  ] as [string, Part[]][])('refuses with 400 VALIDATION_FAILED when %s', async (_, parts) => {
    await expect(read(parts)).resolves.toEqual({ code: 'VALIDATION_FAILED', status: 400 });
  });

  it('accepts a reference of exactly MAX_IMAGE_BYTES', async () => {
    const bytes = Buffer.alloc(MAX_IMAGE_BYTES, 7);

    await expect(read([reference(bytes)])).resolves.toMatchObject({ reference: bytes.toString('hex') });
  });

  it('stops with 413 PAYLOAD_TOO_LARGE when the reference is over MAX_IMAGE_BYTES', async () => {
    await expect(read([reference(Buffer.alloc(MAX_IMAGE_BYTES + 1, 7))])).resolves.toEqual({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
  });
});
