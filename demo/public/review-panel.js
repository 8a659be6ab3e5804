// @ts-check
/**
 * The demo's human-review panel (docs/api.md §15): what a reviewer's tool does with the queue —
 * list the sessions Oz could not settle, show each one's best shot and scores, and record an
 * accept or a reject under the reviewer's name. Like the internal panel, every call goes through
 * the demo server's /internal/ routes, which add the internal API key.
 */
import { call, describeCheck, escape, problem } from './panel-kit.js';

const INTERNAL = '/internal/v1';
const queue = /** @type {HTMLElement} */ (document.getElementById('review-queue'));
const answerBox = /** @type {HTMLElement} */ (document.getElementById('review-answer'));
const reviewer = /** @type {HTMLInputElement} */ (document.getElementById('reviewer'));
const refresh = /** @type {HTMLButtonElement} */ (document.getElementById('refresh-reviews'));

refresh.addEventListener('click', () => void showQueue());

// One listener for every card's buttons: the cards are redrawn on each refresh.
queue.addEventListener('click', async (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('button[data-decision]');
  if (!(button instanceof HTMLButtonElement) || button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  answerBox.innerHTML = await decide(String(button.dataset.session), String(button.dataset.decision));
  await showQueue();
});

/** GET /v1/reviews (the first page, oldest first), each with its session's scores. */
async function showQueue() {
  queue.innerHTML = '<p>Loading…</p>';
  const page = await call(`${INTERNAL}/reviews`);
  if (page.status !== 200) return void (queue.innerHTML = problem(page));
  if (page.body.items.length === 0) return void (queue.innerHTML = '<p>No session is waiting for a review.</p>');
  const cards = await Promise.all(page.body.items.map(card));
  queue.innerHTML = `<ul aria-label="Pending reviews">${cards.join('')}</ul>`;
}

async function card(item) {
  const session = await call(`${INTERNAL}/sessions/${item.sessionId}`);
  const checks = session.status === 200 ? (session.body.result?.checks ?? []) : [];
  const facts = [
    ['Session', item.sessionId],
    ['Waiting since', item.since],
    ['Reason', item.reason],
    ...checks.map((check) => [`Check: ${check.type}`, describeCheck(check)]),
  ];
  const image = item.bestShotAvailable
    ? `<img src="${INTERNAL}/sessions/${escape(item.sessionId)}/best-shot" alt="Best shot of session ${escape(item.sessionId)}" width="96" height="96" />`
    : '<p>The best shot is no longer held.</p>';
  const button = (decision, label) => `<button type="button" data-decision="${decision}" data-session="${escape(item.sessionId)}">${label}</button>`;
  return `<li class="review-item">${image}<dl>${facts.map(([name, value]) => `<dt>${escape(name)}</dt><dd>${escape(value)}</dd>`).join('')}</dl>
    ${button('accepted', 'Accept')}${button('rejected', 'Reject')}</li>`;
}

/** POST /v1/sessions/{id}/review: the reviewer's decision replaces Oz's. */
async function decide(id, decision) {
  const body = JSON.stringify({ decision, reviewer: reviewer.value.trim() });
  const answer = await call(`${INTERNAL}/sessions/${id}/review`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  if (answer.status !== 200) return problem(answer);
  const { result, review } = answer.body;
  return `<p>Reviewed: <strong>${escape(result.decision)}</strong> <code>${escape(result.reason)}</code> by ${escape(review.reviewer)} at ${escape(review.decidedAt)}</p>`;
}
