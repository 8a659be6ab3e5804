/**
 * Load generation. Uploads go through a closed loop of our own on an undici Pool (one keep-alive
 * connection per concurrent client, bounded by a count and a time limit, loopback only); the
 * small-JSON workload uses autocannon. Every answer is checked, and every upload's body hash is
 * recorded so that the harness can compare it with what U received.
 */
import { createHash, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Pool, request } from 'undici';
import { type Actor, isService } from './actors';
import type { UpstreamStats } from './upstream';

export interface Body {
  bytes: Buffer;
  sha256: string;
}

/** `variants` random bodies of `size` bytes each, with their SHA-256. */
export function makeBodies(size: number, variants: number): Body[] {
  return Array.from({ length: variants }, () => {
    const bytes = randomBytes(size);
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}

export interface UploadRun {
  latenciesMs: number[];
  ok: number;
  errors: string[];
  bytes: number;
  elapsedS: number;
  /** SHA-256 → count of the bodies the actor acknowledged with a correct answer. */
  sent: Record<string, number>;
  statuses: Record<number, number>;
  /** Per request: status, latency and whether a 503 carried Retry-After. */
  records: { status: number; ms: number; retryAfter: boolean }[];
}

/** Checks one upload answer; returns an error text or null. */
export function checkUploadAnswer(actor: Actor['id'], status: number, body: Buffer, full: boolean): string | null {
  if (status !== 201) return `${actor}: status ${status} ${body.subarray(0, 200).toString()}`;
  if (actor === 'D' || actor === 'B1') {
    // The folder itself, piped through: check it without parsing 300 KB on the hot path.
    if (!full) return body.includes('"system_resolution":"SUCCESS"') ? null : `${actor}: not a folder`;
    const f = JSON.parse(body.toString()) as { system_resolution?: string; folder_id?: string };
    return f.system_resolution === 'SUCCESS' && typeof f.folder_id === 'string' ? null : `${actor}: bad folder`;
  }
  const a = JSON.parse(body.toString()) as Record<string, unknown>;
  const good =
    a.status === 'completed' && a.decision === 'accepted' && a.reason === 'LIVENESS_PASSED' && typeof a.folderId === 'string' && a.folderId.length > 0;
  return good ? null : `${actor}: bad answer ${body.subarray(0, 300).toString()}`;
}

export interface SutSession {
  sessionId: string;
  sessionToken: string;
}

/** An upload's path and the headers that go with it (the SUT's bearer token, docs/api.md §1). */
export interface UploadTarget {
  path: string;
  headers: Record<string, string>;
}

/** Creates `n` SUT sessions (8 at a time) and returns their ids and tokens. */
export async function createSessions(actor: Actor, n: number): Promise<SutSession[]> {
  const ids: SutSession[] = [];
  const pool = new Pool(actor.url, { connections: 8 });
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const res = await pool.request({ path: '/v1/sessions', method: 'POST' });
      const body = (await res.body.json()) as { sessionId?: string; sessionToken?: string };
      if (res.statusCode !== 201 || typeof body.sessionId !== 'string' || typeof body.sessionToken !== 'string') {
        throw new Error(`SUT: POST /v1/sessions answered ${res.statusCode} ${JSON.stringify(body).slice(0, 200)}`);
      }
      ids.push({ sessionId: body.sessionId, sessionToken: body.sessionToken });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await pool.close();
  return ids;
}

const OCTET_STREAM = { 'content-type': 'application/octet-stream' };

export function uploadPath(actor: Actor, sessions: SutSession[]): () => UploadTarget {
  if (actor.id === 'D') return () => ({ path: '/api/instant/folders/', headers: OCTET_STREAM });
  if (!isService(actor.id)) return () => ({ path: '/liveness', headers: OCTET_STREAM });
  let i = 0;
  return () => {
    if (i >= sessions.length) throw new Error(`${actor.id}: ran out of pre-created sessions`);
    const { sessionId, sessionToken } = sessions[i++];
    return { path: `/v1/sessions/${sessionId}/liveness`, headers: { ...OCTET_STREAM, authorization: `Bearer ${sessionToken}` } };
  };
}

export interface UploadOptions {
  concurrency: number;
  count: number;
  maxMs: number;
  nextPath: () => UploadTarget;
  fullCheck: boolean;
  /**
   * A 503 is a legitimate answer (the service at its Oz limit): counted in `statuses` and
   * `records`, not an error; the client sends its next upload on the same session (the refusal
   * leaves it open). Without it a 503 is a correctness error.
   */
  refusalOk?: boolean;
  /** Stops the loop (no new upload is started) once it returns true. */
  stop?: () => boolean;
}

/**
 * A closed loop of `concurrency` clients, each sending uploads back to back until `count`
 * uploads were started, `maxMs` passed or `stop()` says so.
 */
export async function runUploads(actor: Actor, bodies: Body[], opts: UploadOptions): Promise<UploadRun> {
  const pool = new Pool(actor.url, { connections: opts.concurrency, pipelining: 1, bodyTimeout: 120_000, headersTimeout: 120_000 });
  const run: UploadRun = { latenciesMs: [], ok: 0, errors: [], bytes: 0, elapsedS: 0, sent: {}, statuses: {}, records: [] };
  const t0 = performance.now();
  let started = 0;
  const client = async () => {
    let target: UploadTarget | null = null;
    while (started < opts.count && performance.now() - t0 < opts.maxMs && !opts.stop?.()) {
      const body = bodies[started++ % bodies.length];
      target ??= opts.nextPath();
      const { path, headers } = target;
      const s = performance.now();
      let status = 0;
      let retryAfter = false;
      try {
        const res = await pool.request({ path, method: 'POST', headers, body: body.bytes });
        status = res.statusCode;
        retryAfter = res.headers['retry-after'] !== undefined;
        const answer = Buffer.from(await res.body.arrayBuffer());
        const ms = performance.now() - s;
        run.records.push({ status, ms, retryAfter });
        run.statuses[status] = (run.statuses[status] ?? 0) + 1;
        if (status === 503 && opts.refusalOk) continue; // judged by the overload and slow workloads
        target = null;
        const err = checkUploadAnswer(actor.id, status, answer, opts.fullCheck);
        if (err) {
          run.errors.push(err);
          continue;
        }
        run.ok++;
        run.bytes += body.bytes.length;
        run.latenciesMs.push(ms);
        run.sent[body.sha256] = (run.sent[body.sha256] ?? 0) + 1;
      } catch (e) {
        target = null;
        if (status === 0) run.records.push({ status: 0, ms: performance.now() - s, retryAfter });
        run.errors.push(`${actor.id}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  run.elapsedS = (performance.now() - t0) / 1000;
  await pool.destroy();
  return run;
}

export interface JsonRun {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

/** Small-JSON load with autocannon for `durationS` seconds. */
export async function runSmallJson(actor: Actor, connections: number, durationS: number): Promise<JsonRun> {
  const result = await autocannon({
    url: `${actor.url}${actor.tokenPath}`,
    method: actor.tokenMethod,
    connections,
    duration: durationS,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** One small-JSON call, checked: a token (D) or a session answer with a JWT-like token. */
export async function checkSmallJson(actor: Actor): Promise<string | null> {
  const res = await request(`${actor.url}${actor.tokenPath}`, { method: actor.tokenMethod });
  const body = (await res.body.json()) as Record<string, unknown>;
  const piped = actor.id === 'D' || actor.id === 'B1';
  const token = piped ? body.session_token : body.sessionToken;
  const want = piped ? 200 : 201;
  if (res.statusCode !== want) return `${actor.id}: small JSON answered ${res.statusCode}`;
  if (typeof token !== 'string' || token.split('.').length !== 3) return `${actor.id}: small JSON without a JWT-like token`;
  if (!piped && (typeof body.sessionId !== 'string' || typeof body.expiresAt !== 'string')) {
    return `${actor.id}: small JSON without sessionId/expiresAt`;
  }
  return null;
}

export async function upstreamCall(url: string, path: string, method = 'POST'): Promise<UpstreamStats> {
  const res = await request(`${url}${path}`, { method });
  return (await res.body.json()) as UpstreamStats;
}

/** Compares what U received with what the actor acknowledged; returns error texts. */
export function compareBytes(actor: string, sent: Record<string, number>, got: UpstreamStats, known: Set<string>): string[] {
  const errors: string[] = [];
  for (const [sha, n] of Object.entries(sent)) {
    if ((got.hashes[sha] ?? 0) < n) errors.push(`${actor}: U received body ${sha.slice(0, 12)} ${got.hashes[sha] ?? 0}× but ${n} were acknowledged`);
  }
  for (const [sha, n] of Object.entries(got.hashes)) {
    if (!known.has(sha)) errors.push(`${actor}: U received ${n} bod${n === 1 ? 'y' : 'ies'} with an unknown hash ${sha.slice(0, 12)} (altered bytes)`);
  }
  return errors;
}
