import { randomUUID } from 'node:crypto';
import type { OzConfig } from '../config';
import { OzApiError } from '../oz-api/oz-api.error';
import { OzProbe } from '../oz-api/oz-probe';
import { type CheckLine, fail, ok, warn } from './check-line';

/** Beyond this, token expiries and receipt times read differently on each side. */
const CLOCK_SKEW_WARN_SECONDS = 5;
const OZ_MISSING_CONTAINER = 13;

/** Oz reachable, its version, its clock, a session token, and an empty upload answered as documented. */
export async function checkOz(config: OzConfig, now: () => Date = () => new Date()): Promise<CheckLine[]> {
  const probe = new OzProbe(config);
  const requestId = `doctor-${randomUUID()}`;
  const origin = new URL(config.baseUrl).origin;
  try {
    const lines = await versionAndClock(probe, requestId, origin, now);
    // An Oz that cannot be reached fails the rest the same way: one line says it.
    if (lines[0].status === 'fail') return lines;
    lines.push(await sessionToken(probe, requestId, now));
    lines.push(await emptyUpload(probe, requestId));
    return lines;
  } finally {
    await probe.close();
  }
}

async function versionAndClock(probe: OzProbe, requestId: string, origin: string, now: () => Date): Promise<CheckLine[]> {
  let version;
  try {
    version = await probe.version(requestId);
  } catch (error) {
    return [fail('oz.reachable', `Oz at ${origin} did not answer (${reason(error)}): check OZ_API_URL, DNS and the network policy towards Oz`)];
  }
  const lines: CheckLine[] = [ok('oz.reachable', `Oz answers at ${origin}`)];
  if (version.status === 200) lines.push(ok('oz.version', `GET /api/version: ${version.version ?? 'answered, without a version field'}`));
  else if (version.status === 404) lines.push(ok('oz.version', 'GET /api/version is not offered by this Oz (404)'));
  else if (version.status === 401 || version.status === 403)
    lines.push(warn('oz.version', `GET /api/version answered ${version.status}: check OZ_ACCESS_TOKEN`));
  else lines.push(warn('oz.version', `GET /api/version answered ${version.status}`));
  lines.push(clock(version.serverDate, now()));
  return lines;
}

function clock(serverDate: Date | null, local: Date): CheckLine {
  if (!serverDate) return warn('oz.clock', 'Oz sent no Date header: the clocks could not be compared');
  const skew = Math.round((local.getTime() - serverDate.getTime()) / 1000);
  const text = `this host's clock is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} Oz's`;
  return Math.abs(skew) <= CLOCK_SKEW_WARN_SECONDS
    ? ok('oz.clock', text)
    : warn('oz.clock', `${text}: token expiries and receipt times will disagree; sync both with NTP`);
}

async function sessionToken(probe: OzProbe, requestId: string, now: () => Date): Promise<CheckLine> {
  try {
    const { expiresAt } = await probe.sessionToken(requestId);
    if (!expiresAt) return warn('oz.session-token', 'a session token was issued without an expiry: OZ_SESSION_TTL_SECONDS is assumed');
    const seconds = Math.round((expiresAt.getTime() - now().getTime()) / 1000);
    const line = `a session token was issued; it expires in ${seconds} s (${expiresAt.toISOString()})`;
    return seconds > 60
      ? ok('oz.session-token', line)
      : warn('oz.session-token', `${line}: too short for a person to capture; check Oz's token lifetime and the clocks`);
  } catch (error) {
    return fail('oz.session-token', `Oz issued no session token (${reason(error)}): check OZ_ACCESS_TOKEN and OZ_SESSION_TOKEN_METHOD`);
  }
}

async function emptyUpload(probe: OzProbe, requestId: string): Promise<CheckLine> {
  try {
    const answer = await probe.emptyUpload(requestId);
    if (answer.refused && answer.httpStatus === 400 && answer.ozErrorCode === OZ_MISSING_CONTAINER) {
      return ok('oz.empty-upload', 'an empty liveness upload is refused with 400 and code 13, as documented');
    }
    if (answer.refused && answer.httpStatus === null) return fail('oz.empty-upload', `the liveness route did not answer (${answer.kind})`);
    const what = answer.refused ? `${answer.httpStatus} with code ${answer.ozErrorCode ?? 'none'}` : 'a folder';
    return warn('oz.empty-upload', `an empty liveness upload was answered ${what}, not 400 with code 13: this Oz differs from its documentation`);
  } catch (error) {
    return fail('oz.empty-upload', `the liveness route did not answer (${reason(error)})`);
  }
}

function reason(error: unknown): string {
  if (error instanceof OzApiError)
    return error.httpStatus ? `HTTP ${error.httpStatus}${error.ozErrorCode !== null ? `, code ${error.ozErrorCode}` : ''}` : error.message;
  return 'unexpected error';
}
