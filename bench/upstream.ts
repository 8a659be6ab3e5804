/**
 * U: a minimal fake Oz API Instant on node:http. It reads every body to the end (counting bytes
 * and hashing them with SHA-256 so the harness can prove they arrived unchanged), waits a
 * configurable delay and answers a realistic ~300 KB 201 folder or a session-token JSON.
 *
 * Run as its own process (`node bench/upstream.ts` via tsx, port in PORT, prints "listening <port>")
 * so that its CPU does not share the harness' event loop. Control routes (not Oz):
 *   GET  /__stats  → { requests, bytes, hashes: { <sha256>: count }, inFlight, maxInFlight, tokens,
 *                      arriving, maxArriving, receiving, maxReceiving }
 *   POST /__reset  → zero the counters;  POST /__config?delayMs=N[&hold=M][&capacity=C] → set the analysis delay
 *   (and hold every folder answer until M bodies have arrived, so that M uploads are in flight at once;
 *   with C, behave like a minimal Oz API Instant: at most C analyses at once, a call past them is
 *   refused with 503 at once and counted in `refused`, and each answered call's start and end are
 *   kept in `calls`, for the capacity workload's utilisation).
 *   POST /__sending?prefix=<hex> / POST /__sent?prefix=<hex> → a client is sending (has finished
 *   sending) the body that starts with these 16 bytes: "Oz slots held by uploads still arriving",
 *   `arriving` and `receiving` in arrivals.ts.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { type ArrivalCounts, Arrivals } from './arrivals';

export interface UpstreamStats extends ArrivalCounts {
  requests: number;
  bytes: number;
  hashes: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  tokens: number;
  /** Folder calls refused for being past `capacity` (0: no capacity, none refused). */
  refused: number;
  /** With a capacity: each answered folder call, from its request to its answer (ms since the epoch). */
  calls: { start: number; end: number; sha256: string }[];
}

/** A JPEG-looking buffer (SOI + JFIF header, random payload, EOI) of about `size` bytes. */
export function fakeJpeg(size: number): Buffer {
  const head = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length - 2)), Buffer.from('ffd9', 'hex')]);
}

/** The folder answer split around its folder id, so each answer costs one Buffer.concat. */
export function folderTemplate(): { head: Buffer; tail: Buffer } {
  const bestShot = fakeJpeg(200 * 1024).toString('base64');
  const thumb = fakeJpeg(16 * 1024).toString('base64');
  const now = new Date().toISOString();
  const media = (i: number) => ({
    media_id: randomUUID(),
    media_type: 'VIDEO_FOLDER',
    original_name: `video_${i}.mp4`,
    tags: ['video_selfie', 'video_selfie_blank', 'orientation_portrait'],
    info: { video: { duration: 2.1, fps: 30 } },
    created_at: now,
    thumb_url: null,
  });
  const folder = {
    folder_id: '@@FOLDER_ID@@',
    time_created: now,
    time_updated: now,
    resolution_status: 'FINISHED',
    system_resolution: 'SUCCESS',
    resolution_comment: '',
    meta_data: { event_session_id: 'ev-bench-0001', sdk_version: '8.7.0', platform: 'web' },
    media: [media(0), media(1)],
    analyses: [
      {
        analysis_id: randomUUID(),
        type: 'QUALITY',
        state: 'FINISHED',
        resolution_status: 'SUCCESS',
        results_data: null,
        source_media: [{ media_id: randomUUID() }],
        results_media: [
          { results_data: { confidence_spoofing: 0.03 }, output_images: [{ original_name: 'best_shot.jpg', image_b64: bestShot }] },
          { results_data: { confidence_spoofing: 0.02 }, output_images: [{ original_name: 'thumb.jpg', image_b64: thumb }] },
        ],
        time_created: now,
        time_updated: now,
      },
    ],
  };
  const [head, tail] = JSON.stringify(folder).split('@@FOLDER_ID@@');
  return { head: Buffer.from(head), tail: Buffer.from(tail) };
}

/** A JWT-shaped token (ES384 header, exp 900 s ahead, random signature). */
export function fakeSessionToken(): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'ES384', typ: 'JWT' })}.${b64({ sub: randomUUID(), iat: now, exp: now + 900 })}.${randomBytes(96).toString('base64url')}`;
}

export function createUpstream(initialDelayMs = 0): http.Server {
  let delayMs = initialDelayMs;
  // Hold: with hold = N, no folder is answered before N bodies have fully arrived (then the delay
  // runs), so that N uploads are really in flight at once whatever the actors' speed.
  let hold = 0;
  let capacity = 0;
  let arrived = 0;
  const waiting: (() => void)[] = [];
  const tpl = folderTemplate();
  const fresh = (): UpstreamStats => ({
    requests: 0,
    bytes: 0,
    hashes: {},
    inFlight: 0,
    maxInFlight: 0,
    tokens: 0,
    refused: 0,
    calls: [],
    arriving: 0,
    maxArriving: 0,
    receiving: 0,
    maxReceiving: 0,
  });
  let stats = fresh();
  let arrivals = new Arrivals(stats);

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const buf = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': buf.length });
    res.end(buf);
  };

  return http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'POST' && url.startsWith('/api/instant/folders')) {
      const s = stats;
      if (capacity > 0 && s.inFlight >= capacity) {
        s.refused++;
        req.resume();
        req.on('end', () => json(res, 503, { error_code: 0, error_message: 'over capacity' }));
        return;
      }
      const start = Date.now();
      s.inFlight++;
      s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
      const arrival = arrivals.request();
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        arrival.chunk(chunk);
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('error', () => {
        s.inFlight--;
        arrival.done();
      });
      req.on('end', () => {
        arrival.done();
        const sha = hash.digest('hex');
        const answer = () =>
          setTimeout(() => {
            s.inFlight--;
            s.requests++;
            s.bytes += bytes;
            s.hashes[sha] = (s.hashes[sha] ?? 0) + 1;
            if (capacity > 0) s.calls.push({ start, end: Date.now(), sha256: sha });
            if (req.headers['content-type'] !== 'application/octet-stream' || bytes === 0) {
              return json(res, 400, { error_code: 13, error_message: 'container missing or wrong content type' });
            }
            const body = Buffer.concat([tpl.head, Buffer.from(randomUUID()), tpl.tail]);
            res.writeHead(201, { 'content-type': 'application/json', 'content-length': body.length });
            res.end(body);
          }, delayMs);
        arrived++;
        if (arrived >= hold) {
          for (const release of waiting.splice(0)) release();
          answer();
        } else {
          waiting.push(answer);
        }
      });
      return;
    }
    if (url.startsWith('/api/authorize/session_token')) {
      req.resume();
      req.on('end', () => {
        stats.tokens++;
        json(res, 200, { session_token: fakeSessionToken() });
      });
      return;
    }
    req.resume();
    req.on('end', () => {
      if (url === '/__stats') return json(res, 200, stats);
      if (url === '/__reset' && req.method === 'POST') {
        stats = fresh();
        arrivals = new Arrivals(stats);
        return json(res, 200, { ok: true });
      }
      const announced = /^\/__(sending|sent)\?prefix=([0-9a-f]+)$/.exec(url);
      if (announced && req.method === 'POST') {
        arrivals.announce(announced[2], announced[1] === 'sent');
        return json(res, 200, { ok: true });
      }
      const m = /^\/__config\?delayMs=(\d+)(?:&hold=(\d+))?(?:&capacity=(\d+))?$/.exec(url);
      if (m && req.method === 'POST') {
        delayMs = Number(m[1]);
        hold = Number(m[2] ?? 0);
        capacity = Number(m[3] ?? 0);
        arrived = 0;
        for (const release of waiting.splice(0)) release();
        return json(res, 200, { delayMs, hold });
      }
      json(res, 404, { error_code: 0, error_message: 'not found' });
    });
  });
}

if (process.argv[1] && /upstream\.(ts|js)$/.test(process.argv[1])) {
  const server = createUpstream(Number(process.env.DELAY_MS ?? 0));
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  });
}
