import { request } from 'node:http';
import { buildContainer, BuildContainerOptions } from './container';
import { OzEmulator } from './server';

/** Small helpers that keep the emulator specs short; they only speak HTTP to a running emulator. */

export interface HttpAnswer {
  status: number;
  /** JSON of open shape: each spec asserts the fields it cares about. */
  body: any;
}

export async function readAnswer(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? JSON.parse(text) : null };
}

export async function fetchToken(emulator: OzEmulator, init: RequestInit = {}): Promise<string> {
  const answer = await readAnswer(await fetch(`${emulator.url}/api/authorize/session_token`, init));
  if (answer.status !== 200) throw new Error(`token call answered ${answer.status}`);
  return answer.body.session_token as string;
}

/** node:http instead of fetch for very large bodies: fetch's web streams are several times slower here. */
export function postLargeContainer(emulator: OzEmulator, body: Buffer): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL('/api/instant/folders/', emulator.url);
    const call = request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

export function postContainer(
  emulator: OzEmulator,
  body: Uint8Array,
  init: { path?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${emulator.url}${init.path ?? '/api/instant/folders/'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...init.headers },
    body,
    signal: init.signal,
  });
}

export async function submit(emulator: OzEmulator, options: Omit<BuildContainerOptions, 'token'> & { token?: string } = {}): Promise<HttpAnswer> {
  const token = options.token ?? (await emulator.issueToken());
  return readAnswer(await postContainer(emulator, buildContainer({ ...options, token })));
}

export interface ImageUpload {
  field: string;
  bytes: Uint8Array;
  filename?: string;
  type?: string;
}

export function biometryForm(images: ImageUpload[], payload: unknown): FormData {
  const form = new FormData();
  if (payload !== undefined) form.append('payload', typeof payload === 'string' ? payload : JSON.stringify(payload));
  for (const image of images) {
    form.append(image.field, new Blob([image.bytes], { type: image.type ?? 'image/jpeg' }), image.filename ?? image.field);
  }
  return form;
}

export function tagsFor(images: ImageUpload[]): Record<string, string[]> {
  return Object.fromEntries(images.map((image, i) => [image.field, i === 0 ? ['photo_id', 'photo_id_front'] : ['photo_selfie']]));
}

export async function postBiometry(emulator: OzEmulator, form: FormData): Promise<HttpAnswer> {
  return readAnswer(await fetch(`${emulator.url}/api/instant/folders/`, { method: 'POST', body: form }));
}

export function bestShotOf(folder: any): Buffer {
  const quality = folder.analyses.find((analysis: { type: string }) => analysis.type === 'QUALITY');
  return Buffer.from(quality.results_media[0].output_images[0].image_b64, 'base64');
}
