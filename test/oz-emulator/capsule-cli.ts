import { buildContainer, DEFAULT_FAULT_DELAY_MS, DEFAULT_MEDIA_BYTES, DEFAULT_PERSON, isScenario, SCENARIOS } from './container';
import { buildReferenceImage } from './images';

const USAGE = `Usage (emulated Oz containers and reference photos, for tests only):
  npm run -s capsule -- --token <session token> [--scenario <scenario>] [--person <id>]
                        [--event-session-id <id>] [--media-bytes <n>] [--delay-ms <n>] > capsule.bin
  npm run -s capsule -- --reference --person <id> > reference.jpg

Scenarios: ${SCENARIOS.join(', ')} (default live)
Defaults:  --person ${DEFAULT_PERSON}, --media-bytes ${DEFAULT_MEDIA_BYTES}, --delay-ms ${DEFAULT_FAULT_DELAY_MS} (fault-delay only)
Writes binary to stdout; exit 2 on bad arguments.
`;

class UsageError extends Error {}

type Flags = Record<string, string | true>;

const VALUE_FLAGS = ['--token', '--scenario', '--person', '--event-session-id', '--media-bytes', '--delay-ms'];
const SWITCHES = ['--reference', '--help', '-h'];

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (SWITCHES.includes(arg)) flags[arg] = true;
    else if (VALUE_FLAGS.includes(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      flags[arg] = value;
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return flags;
}

function integerFlag(flags: Flags, name: string): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`${name} must be a non-negative integer`);
  return Number(raw);
}

function stringFlag(flags: Flags, name: string): string | undefined {
  const raw = flags[name];
  return typeof raw === 'string' ? raw : undefined;
}

function produce(flags: Flags): Buffer {
  const person = stringFlag(flags, '--person');
  if (flags['--reference']) {
    if (person === undefined) throw new UsageError('--reference needs --person <id>');
    return buildReferenceImage(person);
  }
  const token = stringFlag(flags, '--token');
  if (!token) throw new UsageError('--token <session token> is required');
  const scenario = stringFlag(flags, '--scenario') ?? 'live';
  if (!isScenario(scenario)) throw new UsageError(`unknown scenario ${JSON.stringify(scenario)}`);
  return buildContainer({
    token,
    scenario,
    person,
    eventSessionId: stringFlag(flags, '--event-session-id'),
    mediaBytes: integerFlag(flags, '--media-bytes'),
    delayMs: integerFlag(flags, '--delay-ms'),
  });
}

export interface CliOutput {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string): unknown };
}

/** The whole CLI as a function of its arguments: the exit code, with output written to `io`. */
export function runCapsuleCli(argv: string[], io: CliOutput = process): number {
  try {
    const flags = parseFlags(argv);
    if (flags['--help'] || flags['-h']) {
      io.stdout.write(USAGE);
      return 0;
    }
    io.stdout.write(produce(flags));
    return 0;
  } catch (error) {
    io.stderr.write(`capsule: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = runCapsuleCli(process.argv.slice(2));
