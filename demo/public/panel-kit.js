// @ts-check
/**
 * What the demo's two internal panels (the session view and the review queue) share: the call
 * through the demo server's key-holding proxy, how a problem and a check read, and HTML escaping.
 */
import { problemSentence } from './messages.js';

/** A check's resolution with its figures (scores are for internal eyes only). */
export function describeCheck(check) {
  const figures = [
    check.score != null ? `liveness score ${check.score} (lower is more live)` : null,
    check.similarity != null ? `similarity ${check.similarity}` : null,
    check.errorCode != null ? `Oz error ${check.errorCode}: ${check.errorMessage}` : null,
  ].filter(Boolean);
  return [check.resolution, ...figures].join(', ');
}

export async function call(url, init = {}) {
  const response = await fetch(url, init).catch(() => null);
  if (response === null) return { status: 0, body: { error: 'the demo server did not answer' } };
  const body = (response.headers.get('content-type') ?? '').includes('json') ? await response.json().catch(() => null) : null;
  return { status: response.status, body };
}

export function problem({ status, body }) {
  const code = body?.code ?? body?.error ?? 'no answer';
  return `<p><strong>${escape(status)}</strong> <code>${escape(code)}</code></p><p>${escape(body?.detail ?? (body?.code ? problemSentence(body) : ''))}</p>`;
}

export function escape(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
