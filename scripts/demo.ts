/**
 * `npm run demo`: the Oz emulator, the built service wired to it and the demo page on its own
 * origin (demo/), a self-check of the whole flow, and a walkthrough of copy-paste curl commands.
 * The service's logs are made readable here; the service itself writes JSON. Ctrl-C stops all.
 */
import { buildContainer, buildReferenceImage, OPERATOR_PERSON } from '../test/oz-emulator';
import { startDemoStack, type DemoStack } from './demo-stack';

const PORT = Number(process.env.PORT ?? 3000);
const EMULATOR_PORT = Number(process.env.OZ_EMULATOR_PORT ?? 8080);
const DEMO_PORT = Number(process.env.DEMO_PORT ?? 3001);
const API_KEY = process.env.INTERNAL_API_KEYS?.split(',')[0] ?? 'demo-internal-key';
const base = `http://localhost:${PORT}`;

async function main(): Promise<void> {
  const stack = await startDemoStack({ servicePort: PORT, emulatorPort: EMULATOR_PORT, demoPort: DEMO_PORT, apiKey: API_KEY, serviceLogs: 'pretty' });
  let stopping = false;
  const stop = (code: number) => {
    stopping = true;
    void stack.close().then(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  void stack.serviceExit.then((code) => {
    if (stopping) return;
    process.stderr.write(`the service exited (${code})\n`);
    stop(code ?? 1);
  });
  try {
    await selfCheck(stack);
  } catch (error) {
    process.stderr.write(`demo self-check failed: ${(error as Error).message}\n`);
    return stop(1); // the service is a child process: never leave it running on its own
  }
  process.stdout.write(walkthrough(stack));
}

/** The flow once, through the real service and the page's server, so that a broken demo says so at once. */
async function selfCheck(stack: DemoStack): Promise<void> {
  const service = stack.serviceUrl;
  const page = await fetch(`${stack.demoUrl}/`);
  const session = (await (await fetch(`${service}/v1/sessions`, { method: 'POST' })).json()) as { sessionId: string; sessionToken: string };
  const container = buildContainer({ token: session.sessionToken });
  const liveness = await fetch(`${service}/v1/sessions/${session.sessionId}/liveness`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${session.sessionToken}` },
    body: container,
  });
  const form = new FormData();
  form.append('reference', new Blob([buildReferenceImage('person-1')], { type: 'image/jpeg' }), 'reference.jpg');
  const biometry = await fetch(`${service}/v1/sessions/${session.sessionId}/biometry`, { method: 'POST', headers: { 'x-api-key': stack.apiKey }, body: form });
  const decision = ((await biometry.json()) as { result?: { decision?: string; reason?: string } }).result;
  process.stdout.write(
    `\nself-check: demo page ${page.status}, liveness ${liveness.status}, face match ${biometry.status} → ${decision?.decision} (${decision?.reason})\n`,
  );
}

function walkthrough(stack: DemoStack): string {
  const emulatorUrl = stack.emulatorUrl.replace('127.0.0.1', 'localhost');
  const key = stack.apiKey;
  return `
Demo page: http://localhost:${new URL(stack.demoUrl).port}/
  (its own origin, as a company frontend's: it calls the service across origins, and its server
   stands in for the Oz Web SDK and, with the internal API key, for the company's backend)

The verification service listens on ${base}; the Oz API Instant EMULATOR (not Oz) on ${emulatorUrl}.
Internal API key: ${key}. Copy-paste the flow in another terminal, from this directory:

  # 1. a frontend starts a session (the service asks Oz for a session token)
  curl -s -X POST ${base}/v1/sessions -H 'content-type: application/json' -d '{"subjectId":"demo-user"}' > session.json
  SESSION=$(node -p 'require("./session.json").sessionId'); TOKEN=$(node -p 'require("./session.json").sessionToken')

  # 2. the Oz SDK captures the user and packs a container (here: the emulator's builder)
  npm run -s capsule -- --token "$TOKEN" --scenario live > capsule.bin

  # 3. the frontend posts the container bytes with its session token; the service forwards them unchanged to Oz
  curl -s -X POST ${base}/v1/sessions/$SESSION/liveness -H 'content-type: application/octet-stream' -H "authorization: Bearer $TOKEN" --data-binary @capsule.bin

  # 4. an internal service reads the decision server-side (scores included)
  curl -s ${base}/v1/sessions/$SESSION -H 'x-api-key: ${key}'

  # 5. face matching of a reference photo against the best shot
  npm run -s capsule -- --reference --person person-1 > reference.jpg
  curl -s -X POST ${base}/v1/sessions/$SESSION/biometry -H 'x-api-key: ${key}' -F reference=@reference.jpg -F referenceType=document

  # 6. the best shot, while it is held
  curl -s -o best-shot.jpg ${base}/v1/sessions/$SESSION/best-shot -H 'x-api-key: ${key}'

  # 7. human review: with --person ${OPERATOR_PERSON} in steps 2 and 5 (the person Oz is unsure of),
  #    the face match goes to review; a reviewer lists the queue and decides
  curl -s ${base}/v1/reviews -H 'x-api-key: ${key}'
  curl -s -X POST ${base}/v1/sessions/$SESSION/review -H 'x-api-key: ${key}' -H 'content-type: application/json' -d '{"decision":"accepted","reviewer":"demo-reviewer"}'

Other scenarios for step 2: spoof, analysis-error, no-payload, no-media, damaged, tampered, fault-5xx, fault-delay.
Press Ctrl-C to stop.
`;
}

main().catch((error: Error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
