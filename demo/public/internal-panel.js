// @ts-check
/**
 * The demo's "internal service" panel: what the company's backend does after the page's answer —
 * read the session server-side (scores included), look at the best shot, run a face match. Not part
 * of the integration example: a real frontend never sees any of this. Every call goes to the demo
 * server's /internal/ routes, which add the internal API key; the browser never holds the key.
 */
import { call, describeCheck, escape, problem } from './panel-kit.js';

const INTERNAL = '/internal/v1/sessions';
const view = /** @type {HTMLElement} */ (document.getElementById('session-view'));
const figure = /** @type {HTMLElement} */ (document.getElementById('best-shot-figure'));
const bestShot = /** @type {HTMLImageElement} */ (document.getElementById('best-shot'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('face-match'));
const runButton = /** @type {HTMLButtonElement} */ (document.getElementById('run-face-match'));
const file = /** @type {HTMLInputElement} */ (document.getElementById('reference-file'));
const answerBox = /** @type {HTMLElement} */ (document.getElementById('face-match-answer'));
/** @type {string | null} */
let sessionId = null;

document.addEventListener('verification:answered', (event) => {
  sessionId = /** @type {CustomEvent} */ (event).detail.sessionId;
  answerBox.replaceChildren();
  runButton.removeAttribute('aria-disabled');
  void load();
});

// Picking a file means "compare with this one".
file.addEventListener('change', () => {
  const choice = /** @type {HTMLInputElement} */ (form.querySelector('input[value="file"]'));
  choice.checked = true;
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (sessionId === null || runButton.getAttribute('aria-disabled') === 'true') return;
  runButton.setAttribute('aria-disabled', 'true');
  answerBox.innerHTML = '<p>Comparing…</p>';
  answerBox.innerHTML = await compare(sessionId);
  runButton.removeAttribute('aria-disabled');
});

/** POST /v1/sessions/{id}/biometry with the chosen photo; the service recomputes the decision. */
async function compare(id) {
  const reference = await referencePhoto();
  if (reference === null) return '<p>Pick a photo first.</p>';
  const body = new FormData();
  body.append('reference', reference, reference instanceof File ? reference.name : 'reference.jpg');
  body.append('referenceType', /** @type {HTMLSelectElement} */ (form.elements.namedItem('referenceType')).value);
  const answer = await call(`${INTERNAL}/${id}/biometry`, { method: 'POST', body });
  if (answer.status !== 201) return problem(answer);
  renderView(answer.body);
  const result = answer.body.result;
  return `<p>Face match: <strong>${escape(result?.decision)}</strong> <code>${escape(result?.reason)}</code></p>`;
}

async function referencePhoto() {
  const choice = /** @type {HTMLInputElement} */ (form.querySelector('input[name="reference"]:checked')).value;
  if (choice === 'file') return file.files?.[0] ?? null;
  const response = await fetch(`/demo/reference.jpg?person=${choice}`);
  return response.ok ? response.blob() : null;
}

async function load() {
  const answer = await call(`${INTERNAL}/${sessionId}`);
  if (answer.status !== 200) return void (view.innerHTML = problem(answer));
  renderView(answer.body);
}

/** The session view of GET /v1/sessions/{id}, as the service gave it. */
function renderView(session) {
  const result = session.result;
  const rows = [
    ['Session', session.sessionId],
    [
      'Subject',
      session.subjectId === null ? '— (anonymous)' : `${session.subjectId} (${session.subjectVerified ? 'vouched for by the company' : "the browser's word"})`,
    ],
    ['Status', session.status],
    ['Decision', result ? `${result.decision} (${result.reason})` : '—'],
    ...(result?.checks ?? []).map((check) => [`Check: ${check.type}`, describeCheck(check)]),
    ...(session.error ? [['Error', `${session.error.code}${session.error.ozErrorCode != null ? ` (Oz error code ${session.error.ozErrorCode})` : ''}`]] : []),
  ];
  view.innerHTML = `<dl>${rows.map(([name, value]) => `<dt>${escape(name)}</dt><dd>${escape(value)}</dd>`).join('')}</dl>
    <details><summary>The whole answer</summary><pre>${escape(JSON.stringify(session, null, 2))}</pre></details>`;
  figure.hidden = !result?.bestShotAvailable;
  if (result?.bestShotAvailable) bestShot.src = `${INTERNAL}/${session.sessionId}/best-shot`;
}
