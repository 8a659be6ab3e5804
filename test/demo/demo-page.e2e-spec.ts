import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { startDemoStack, type DemoStack } from '../../scripts/demo-stack';
import { buildReferenceImage } from '../oz-emulator';
import { launchChromium, screenshotFolder, type Chromium } from './chromium';

/**
 * The demo page in a real browser, against the pieces `npm run demo` starts: the emulator, the
 * built service (dist/main.js) and the page's own server, each on a free port. The page is read
 * as a person reads it: the `status` element, the list of calls, the internal panel. It runs the
 * service from dist/: `npm test` builds first; alone, run `npm run build && npx jest test/demo`.
 */
jest.setTimeout(15_000);

let stack: DemoStack;
let chromium: Chromium;
let shots: string;
let page: Page;
let problems: string[];
let requests: Request[];

beforeAll(async () => {
  [stack, chromium, shots] = await Promise.all([startDemoStack({ serviceLogs: 'ignore' }), launchChromium(), screenshotFolder()]);
  process.stderr.write(`demo page screenshots: ${shots}\n`);
}, 30_000);

afterAll(async () => {
  await chromium?.close();
  await stack?.close();
});

beforeEach(async () => {
  page = await chromium.context.newPage();
  page.setDefaultTimeout(5_000);
  problems = [];
  requests = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !isServiceAnswer(message.location().url)) problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => requests.push(request));
  await page.goto(`${asLocalhost(stack.demoUrl)}/`); // as the demo prints it
});

afterEach(async () => {
  await page.close();
  // A script error or a refused request (CORS, CSP) breaks the page even when the texts looked right.
  expect(problems).toEqual([]);
});

/** Chromium logs every 4xx/5xx as an error; those of the service (directly or through /internal/) are answers the page shows. */
function isServiceAnswer(url: string): boolean {
  const service = [stack.serviceUrl, asLocalhost(stack.serviceUrl)].map((base) => `${base}/`);
  const internal = [stack.demoUrl, asLocalhost(stack.demoUrl)].map((base) => `${base}/internal/`);
  return [...service, ...internal].some((prefix) => url.startsWith(prefix));
}

const asLocalhost = (url: string) => url.replace('//127.0.0.1:', '//localhost:');

const status = () => page.getByRole('status');
const steps = () => page.locator('#steps');
const panel = () => page.locator('#session-view');
const panelRow = (text: string) => panel().locator('dd', { hasText: text }).first();

async function verify(scenario: string, starter: 'page' | 'company' = 'page'): Promise<string> {
  const starterLabel = starter === 'company' ? "The company's backend, for the signed-in demo person" : 'This page, anonymously';
  await page.getByLabel(starterLabel, { exact: false }).check();
  await page.getByLabel('Scenario', { exact: true }).selectOption(scenario);
  await page.getByRole('button', { name: 'Start verification' }).click();
  return outcome();
}

/** The status text once the flow is over (the page marks its button aria-disabled meanwhile). */
async function outcome(): Promise<string> {
  await page.locator('#start:not([aria-disabled="true"])').waitFor();
  return status().innerText();
}

async function faceMatch(reference: 'same' | 'other' | Buffer): Promise<string> {
  if (Buffer.isBuffer(reference)) {
    await page.getByLabel('Photo to compare').setInputFiles({ name: 'passport.jpg', mimeType: 'image/jpeg', buffer: reference });
  } else {
    await page.getByLabel(reference === 'same' ? 'The same person (made by the emulator)' : 'Another person (made by the emulator)').check();
  }
  await page.getByRole('button', { name: 'Run face match' }).click();
  await page.locator('#run-face-match:not([aria-disabled="true"])').waitFor();
  return page.locator('#face-match-answer').innerText();
}

const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

it('accepts a live person, sending the container with the session token, and matches faces through the internal panel', async () => {
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/sessions') && r.request().method() === 'POST');
  const upload = page.waitForRequest((r) => r.url().endsWith('/liveness'));

  const text = await verify('live');

  expect(text).toContain('accepted');
  expect(text).toContain('LIVENESS_PASSED');
  expect(text).toContain('You are verified.');
  const { sessionId, sessionToken } = await (await created).json();
  const headers = await (await upload).allHeaders();
  expect(headers['content-type']).toBe('application/octet-stream');
  expect(headers.authorization).toBe(`Bearer ${sessionToken}`);
  expect((await upload).url()).toBe(`${asLocalhost(stack.serviceUrl)}/v1/sessions/${sessionId}/liveness`);

  await panelRow('LIVENESS_PASSED').waitFor();
  expect(await panel().innerText()).toMatch(/completed[\s\S]*accepted \(LIVENESS_PASSED\)[\s\S]*SUCCESS, liveness score 0\.0\d/);
  await page.waitForFunction('document.getElementById("best-shot").complete && document.getElementById("best-shot").naturalWidth === 64');

  expect(await faceMatch('same')).toMatch(/accepted\s+FACE_MATCHED/);
  expect(await panel().innerText()).toContain('similarity 0.97');
  expect(await faceMatch('other')).toMatch(/rejected\s+FACE_MISMATCH/);
  expect(await faceMatch(buildReferenceImage('person-1'))).toMatch(/accepted\s+FACE_MATCHED/);
  await shot('accepted-with-face-match');

  // The internal API key stays with the demo server: no request of the page carries it.
  const sent = await Promise.all(requests.map(async (r) => JSON.stringify(await r.allHeaders()) + r.url()));
  expect(sent.filter((line) => line.includes(stack.apiKey) || line.includes('x-api-key'))).toEqual([]);
});

it('rejects a spoof in words, and leaves the refusal of a face match to the service', async () => {
  await page.goto(`${stack.demoUrl}/`); // the page's other name, 127.0.0.1, which CORS lists too

  const text = await verify('spoof');

  expect(text).toContain('rejected');
  expect(text).toContain('LIVENESS_DECLINED');
  expect(text).toContain('We could not confirm that it was you');
  await panelRow('LIVENESS_DECLINED').waitFor();
  expect(await panel().innerText()).toMatch(/DECLINED, liveness score 0\.9/);
  expect(await faceMatch('same')).toMatch(/409\s+LIVENESS_NOT_ACCEPTED/);
  await shot('rejected-spoof');
});

it('names a damaged container with its problem code and asks the customer to start again', async () => {
  const text = await verify('damaged');

  expect(text).toContain('CONTAINER_DAMAGED');
  expect(text).toContain('The recording was damaged on its way. Please start the verification again.');
  expect(text).toMatch(/Reference: [0-9a-f-]{36}/);
  await panelRow('CONTAINER_DAMAGED').waitFor();
  expect(await panel().innerText()).toMatch(/failed[\s\S]*CONTAINER_DAMAGED \(Oz error code 5\)/);
  await shot('container-damaged');
});

it('retries a retryable upstream fault visibly and a bounded number of times, then asks to try again', async () => {
  const text = await verify('fault-5xx');

  expect(text).toContain('UPSTREAM_ERROR');
  expect(text).toContain('The checking system had a problem. Please try again in a moment.');
  const calls = await steps().innerText();
  expect(calls.match(/liveness → 502 UPSTREAM_ERROR/g)).toHaveLength(3);
  expect(calls).toContain('retrying in 1 s (attempt 2 of 3)');
  expect(calls).toContain('retrying in 1 s (attempt 3 of 3)');
  await shot('upstream-fault-retried');
});

it('asks the customer to record again, without blame, when a retry finds the capture already used (§18)', async () => {
  const text = await verify('fault-non-json');

  expect(text).toContain('NEW_CAPTURE_REQUIRED');
  expect(text).toContain('Nothing was wrong with your recording');
  expect(text).toContain('Please record yourself once more');
  expect(text).not.toContain('genuine');
  const calls = await steps().innerText();
  expect(calls).toMatch(/liveness → 502 UPSTREAM_ERROR[\s\S]*liveness → 410 NEW_CAPTURE_REQUIRED/);
  await panelRow('NEW_CAPTURE_REQUIRED').waitFor();
  await shot('new-capture-required');
});

it('can be used with the keyboard alone: Tab to the select, arrow to a scenario, Tab to the button, Enter', async () => {
  const focused = () => page.evaluate('document.activeElement && document.activeElement.id');
  for (let i = 0; i < 10 && (await focused()) !== 'scenario'; i++) await page.keyboard.press('Tab');
  expect(await focused()).toBe('scenario');
  await page.keyboard.press('ArrowDown'); // from "live" to the next option, "spoof"
  await page.keyboard.press('Tab');
  expect(await focused()).toBe('start');

  await page.keyboard.press('Enter');

  const text = await outcome();
  expect(text).toContain('rejected');
  expect(text).toContain('LIVENESS_DECLINED');
  expect(await focused()).toBe('start'); // the button kept the focus through the flow
  await shot('keyboard-only');
});

it('needs no horizontal scrolling at 200 % zoom (a 640 px wide viewport), with every panel filled', async () => {
  await page.setViewportSize({ width: 640, height: 900 });
  await verify('live');
  await panelRow('LIVENESS_PASSED').waitFor();
  await faceMatch('same');
  await page.getByText('The whole answer').click(); // the raw JSON: long ids (and, in v1.1, a long receipt)

  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow).toBe(0);
  await shot('zoom-200-percent');
});

it('counts the failed attempts of the person the company vouched for, in words, then says when to try again', async () => {
  const created = page.waitForResponse((r) => r.url().endsWith('/internal/v1/sessions'));
  const first = await verify('spoof', 'company');

  expect(first).toContain('rejected');
  expect(first).toContain('You have 2 attempts left.');
  expect((await (await created).json()).sessionToken).toEqual(expect.any(String));
  await panelRow('LIVENESS_DECLINED').waitFor();
  expect(await panel().innerText()).toContain('demo-person');
  expect(await verify('spoof', 'company')).toContain('You have 1 attempt left.');
  expect(await verify('spoof', 'company')).toContain('You have no attempts left for now; you can try again later.');

  const locked = await verify('live', 'company');

  expect(locked).toContain('ATTEMPTS_EXHAUSTED');
  expect(locked).toMatch(
    /You have used all your attempts for now, to protect your account\. You can try again after .+, or contact support if you need help sooner\./,
  );
  expect(await steps().innerText()).toContain('POST /internal/v1/sessions → 429 ATTEMPTS_EXHAUSTED');
  await shot('attempts-exhausted');
  // An anonymous session of the same page is not the vouched person's: it is neither counted nor refused.
  expect(await verify('live')).toContain('You are verified.');
});

it('sends a face match Oz could not settle to the review panel, where a named reviewer accepts it (§15)', async () => {
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/sessions') && r.request().method() === 'POST');
  expect(await verify('operator')).toContain('accepted');
  const { sessionId } = await (await created).json();
  await panelRow('LIVENESS_PASSED').waitFor();

  await page.getByLabel('The person Oz is unsure of (made by the emulator)').check();
  await page.getByRole('button', { name: 'Run face match' }).click();
  await page.locator('#run-face-match:not([aria-disabled="true"])').waitFor();
  expect(await page.locator('#face-match-answer').innerText()).toMatch(/inconclusive\s+REVIEW_REQUIRED/);

  await page.getByLabel('Reviewer name').fill('anna.k@kyc');
  await page.getByRole('button', { name: 'Show pending reviews' }).click();
  const card = page.locator('.review-item', { hasText: sessionId });
  await card.waitFor();
  expect(await card.innerText()).toMatch(/REVIEW_REQUIRED[\s\S]*SUCCESS, liveness score 0\.0\d[\s\S]*OPERATOR_REQUIRED, similarity 0\.62/);
  // The best shot, through the key-holding proxy: decoded, at the emulator's 64 px.
  const width = card.locator('img').evaluate((img) => {
    const image = img as unknown as { decode(): Promise<void>; naturalWidth: number };
    return image.decode().then(() => image.naturalWidth);
  });
  expect(await width).toBe(64);
  await shot('review-pending');

  await card.getByRole('button', { name: 'Accept' }).click();

  await page.locator('#review-answer', { hasText: 'REVIEW_ACCEPTED' }).waitFor();
  expect(await page.locator('#review-answer').innerText()).toMatch(/accepted\s+REVIEW_ACCEPTED by anna\.k@kyc/);
  await card.waitFor({ state: 'detached' });
  await shot('review-accepted');
});
