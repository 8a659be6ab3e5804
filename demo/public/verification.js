// @ts-check
/**
 * The integration example: how a company page verifies a person with the verification service.
 * Framework-free, so that it can be copied into any stack. Two things differ on a real page:
 *  - SERVICE_URL: your service's address (here the demo server writes it into the page);
 *  - capture(): the Oz Web SDK instead of the demo's stand-in (the real calls are beside it).
 * The page decides nothing: it shows what the service answered. Your backend reads the decision
 * again server-side (GET /v1/sessions/{id}) before it lets anyone through.
 */
import { attemptsSentence, CAPTURE_FAILED, DECISIONS, lockedSentence, problemSentence, UNREACHABLE } from './messages.js';

const SERVICE_URL = /** @type {HTMLMetaElement} */ (document.querySelector('meta[name="verification-service-url"]')).content;
const MAX_ATTEMPTS = 3; // the first call and two retries: a customer should not wait for ever
const MAX_WAIT_SECONDS = 10; // a longer Retry-After is shown to the customer, not waited for
const DEFAULT_WAIT_SECONDS = 1; // when a retryable answer names no Retry-After

/**
 * The whole flow for one person. Resolves with what the page shows; never throws.
 * `starter`: who opens the session. `page`: this page, anonymously. `company`: the company's
 * backend (here the demo server), with its internal key, for the person signed in to the company's
 * site; the service then counts that person's failed attempts (docs/api.md §14).
 */
async function verify(scenario, starter) {
  const session = starter === 'company' ? await callService('POST', '/internal/v1/sessions', {}, '') : await callService('POST', '/v1/sessions', {});
  if (session.status !== 201 || !session.body) return session;
  const { sessionId, sessionToken } = session.body;

  const container = await capture(sessionToken, scenario).catch(() => null);
  if (container === null) return { status: 0, capture: 'failed', sessionId };
  step(`Captured a container of ${container.size} bytes`);

  const liveness = await callService('POST', `/v1/sessions/${sessionId}/liveness`, {
    // Send the Blob as the SDK gave it: never parse, re-encode or wrap it (no base64, no form).
    headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${sessionToken}` },
    body: container,
  });
  return { ...liveness, sessionId };
}

/**
 * The demo's stand-in for the Oz Web SDK: the emulator's builder makes the container. With the real
 * SDK (Web Adapter settings: use_wasm_container: true, architecture: "capture",
 * api_use_session_token: "client"), the same Blob arrives here instead:
 *
 *   return new Promise((resolve, reject) => OzLiveness.open({
 *     session_token: sessionToken,
 *     on_capture_complete: (container) => resolve(container), // a Blob, application/octet-stream
 *     on_error: (error) => reject(error),
 *   }));
 * @returns {Promise<Blob>}
 */
async function capture(sessionToken, scenario) {
  step('Capturing (the Oz Web SDK would open the camera here)');
  const response = await fetch('/demo/capture', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sessionToken, scenario }),
  });
  if (!response.ok) throw new Error(`capture stand-in answered ${response.status}`);
  return response.blob();
}

/**
 * One call to the service, retried while the service says a retry may succeed (`retryable: true`,
 * e.g. 409 SESSION_IN_PROGRESS, 503 with Retry-After), waiting as long as it asks, a few times at most.
 * A retried upload is safe: the same bytes get the same answer (contract §1).
 */
async function callService(method, path, init, base = SERVICE_URL) {
  for (let attempt = 1; ; attempt++) {
    const answer = await fetch(`${base}${path}`, { method, ...init }).then(readAnswer, () => null);
    const label = `${method} ${path}`;
    if (answer === null) step(`${label}: no answer (network error)`);
    else step(`${label} → ${answer.status}${answer.body?.code ? ` ${answer.body.code}` : ''}`);
    const retryable = answer === null || answer.body?.retryable === true;
    const wait = answer?.retryAfter ?? DEFAULT_WAIT_SECONDS;
    if (!retryable || attempt === MAX_ATTEMPTS || wait > MAX_WAIT_SECONDS) return answer ?? { status: 0, unreachable: true };
    show(`<p>${escape(`Not yet: trying again in ${wait} s (attempt ${attempt + 1} of ${MAX_ATTEMPTS}).`)}</p>`);
    step(`retrying in ${wait} s (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

async function readAnswer(response) {
  const type = response.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await response.json().catch(() => null) : null;
  const retryAfter = Number(response.headers.get('retry-after')) || null; // exposed by the service's CORS
  return { status: response.status, body, retryAfter, requestId: response.headers.get('x-request-id') };
}

/** The service's words, and ours for the customer beside them. */
function render(answer) {
  const { body } = answer;
  if (answer.unreachable) return line('unreachable', '', UNREACHABLE);
  if (answer.capture === 'failed') return line('capture failed', '', CAPTURE_FAILED);
  if (body?.decision) {
    const attempts = body.decision === 'accepted' ? '' : attemptsSentence(body.attemptsRemaining);
    return line(body.decision, body.reason, [DECISIONS[body.decision] ?? problemSentence({}), attempts].filter(Boolean).join(' '));
  }
  const reference = `Reference: ${body?.requestId ?? answer.requestId ?? 'none'}`;
  const sentence = body?.code === 'ATTEMPTS_EXHAUSTED' ? lockedSentence(answer.retryAfter) : problemSentence(body ?? {});
  return line(body?.code ?? `HTTP ${answer.status}`, '', sentence, reference);
}

function line(word, code, sentence, reference = '') {
  const parts = [`<p class="answer"><strong>${escape(word)}</strong>${code ? ` <code>${escape(code)}</code>` : ''}</p>`, `<p>${escape(sentence)}</p>`];
  if (reference) parts.push(`<p class="hint">${escape(reference)}</p>`);
  return parts.join('');
}

// The page around the flow: a form, the status element and the list of calls.
const form = /** @type {HTMLFormElement} */ (document.getElementById('verification'));
const button = /** @type {HTMLButtonElement} */ (document.getElementById('start'));
const outcome = /** @type {HTMLElement} */ (document.getElementById('outcome'));
const steps = /** @type {HTMLOListElement} */ (document.getElementById('steps'));

const show = (html) => (outcome.innerHTML = html);
const step = (text) => steps.insertAdjacentHTML('beforeend', `<li>${escape(text)}</li>`);
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
  if (button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  steps.replaceChildren();
  show('<p>Checking…</p>');
  const scenario = /** @type {HTMLSelectElement} */ (form.elements.namedItem('scenario')).value;
  const starter = /** @type {RadioNodeList} */ (form.elements.namedItem('starter')).value;
  const answer = await verify(scenario, starter);
  show(render(answer));
  button.removeAttribute('aria-disabled');
  // For the demo's "internal service" panel: your backend would now read the result itself.
  if (answer.sessionId) document.dispatchEvent(new CustomEvent('verification:answered', { detail: { sessionId: answer.sessionId } }));
});
