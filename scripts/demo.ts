/**
 * `npm run demo`: the Oz emulator and the built service wired to it, a self-check of the whole
 * flow, and a walkthrough of copy-paste curl commands. Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { buildContainer, buildReferenceImage, startOzEmulator } from '../test/oz-emulator';

const PORT = Number(process.env.PORT ?? 3000);
const EMULATOR_PORT = Number(process.env.OZ_EMULATOR_PORT ?? 8080);
const API_KEY = process.env.INTERNAL_API_KEYS?.split(',')[0] ?? 'demo-internal-key';
const base = `http://localhost:${PORT}`;

async function main(): Promise<void> {
  const emulator = await startOzEmulator({ port: EMULATOR_PORT, host: '127.0.0.1' });
  const service = spawn(process.execPath, ['dist/main.js'], {
    env: { ...process.env, PORT: String(PORT), OZ_API_URL: emulator.url, INTERNAL_API_KEYS: API_KEY, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async (code: number) => {
    service.kill('SIGTERM');
    await emulator.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  service.on('exit', (code) => {
    process.stderr.write(`the service exited (${code})\n`);
    void emulator.close().then(() => process.exit(code ?? 1));
  });
  await waitForReady(service);
  await selfCheck();
  process.stdout.write(walkthrough(emulator.url));
}

async function waitForReady(service: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100 && service.exitCode === null; attempt++) {
    const ready = await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the service did not become ready');
}

/** The flow once, through the real service, so that a broken demo says so at once. */
async function selfCheck(): Promise<void> {
  const session = (await (await fetch(`${base}/v1/sessions`, { method: 'POST' })).json()) as { sessionId: string; sessionToken: string };
  const container = buildContainer({ token: session.sessionToken });
  const liveness = await fetch(`${base}/v1/sessions/${session.sessionId}/liveness`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: container,
  });
  const form = new FormData();
  form.append('reference', new Blob([buildReferenceImage('person-1')], { type: 'image/jpeg' }), 'reference.jpg');
  const biometry = await fetch(`${base}/v1/sessions/${session.sessionId}/biometry`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body: form });
  const decision = ((await biometry.json()) as { result?: { decision?: string; reason?: string } }).result;
  process.stdout.write(`\nself-check: liveness ${liveness.status}, face match ${biometry.status} → ${decision?.decision} (${decision?.reason})\n`);
}

function walkthrough(emulatorUrl: string): string {
  return `
The verification service listens on ${base}; the Oz API Instant EMULATOR (not Oz) on ${emulatorUrl}.
Internal API key: ${API_KEY}. Copy-paste the flow in another terminal, from this directory:

  # 1. a frontend starts a session (the service asks Oz for a session token)
  curl -s -X POST ${base}/v1/sessions -H 'content-type: application/json' -d '{"subjectId":"demo-user"}' > session.json
  SESSION=$(node -p 'require("./session.json").sessionId'); TOKEN=$(node -p 'require("./session.json").sessionToken')

  # 2. the Oz SDK captures the user and packs a container (here: the emulator's builder)
  npm run -s capsule -- --token "$TOKEN" --scenario live > capsule.bin

  # 3. the frontend posts the container bytes; the service forwards them unchanged to Oz
  curl -s -X POST ${base}/v1/sessions/$SESSION/liveness -H 'content-type: application/octet-stream' --data-binary @capsule.bin

  # 4. an internal service reads the decision server-side (scores included)
  curl -s ${base}/v1/sessions/$SESSION -H 'x-api-key: ${API_KEY}'

  # 5. face matching of a reference photo against the best shot
  npm run -s capsule -- --reference --person person-1 > reference.jpg
  curl -s -X POST ${base}/v1/sessions/$SESSION/biometry -H 'x-api-key: ${API_KEY}' -F reference=@reference.jpg -F referenceType=document

  # 6. the best shot, while it is held
  curl -s -o best-shot.jpg ${base}/v1/sessions/$SESSION/best-shot -H 'x-api-key: ${API_KEY}'

Other scenarios for step 2: spoof, analysis-error, no-payload, no-media, damaged, tampered, fault-5xx, fault-delay.
Press Ctrl-C to stop.
`;
}

main().catch((error: Error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
