import { OZ, problemsOf } from './config.spec-kit';
import { loadConfiguration } from './index';

describe('the v1.2 variables of listeners and memory (docs/api.md §16)', () => {
  it('reads HOST, INTERNAL_PORT and the upload rules', () => {
    const configuration = loadConfiguration({
      OZ_API_URL: OZ,
      HOST: '::',
      INTERNAL_PORT: '3001',
      MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS: '33554432',
      MIN_UPLOAD_BYTES_PER_SECOND: '1024',
      MAX_REFERENCE_PIXELS: '1000000',
    });

    expect(configuration).toMatchObject({
      http: { host: '::', port: 3000, internalPort: 3001 },
      limits: { maxInflightUploadBytesPerAddress: 33_554_432, minUploadBytesPerSecond: 1024, maxReferencePixels: 1_000_000 },
    });
  });

  it.each([
    ['HOST', 'localhost', 'a name, not an address'],
    ['HOST', '0.0.0.0.0', 'not an address'],
    ['INTERNAL_PORT', '3000', 'the same port as PORT'],
    ['INTERNAL_PORT', '9464', 'the same port as METRICS_PORT'],
    ['INTERNAL_PORT', '70000', 'out of range'],
    ['MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS', '1024', 'below MAX_CONTAINER_BYTES'],
    ['MIN_UPLOAD_BYTES_PER_SECOND', '0', 'zero'],
    ['MAX_REFERENCE_PIXELS', '-1', 'negative'],
  ])('refuses %s=%p (%s) with one line naming it', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });

  it('refuses a budget or a share with no room for the largest reference form, one line each', () => {
    const env = {
      MAX_CONTAINER_BYTES: '1048576',
      MAX_IMAGE_BYTES: '10485760',
      MAX_INFLIGHT_UPLOAD_BYTES: '10485760',
      MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS: '10485760',
    };

    expect(problemsOf(env)).toEqual([
      "MAX_INFLIGHT_UPLOAD_BYTES: must be at least MAX_IMAGE_BYTES + 65536 (a reference form's framing)",
      "MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS: must be at least MAX_IMAGE_BYTES + 65536 (a reference form's framing)",
    ]);
    expect(problemsOf({ ...env, MAX_INFLIGHT_UPLOAD_BYTES: '10551296', MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS: '10551296' })).toEqual([]);
  });
});
