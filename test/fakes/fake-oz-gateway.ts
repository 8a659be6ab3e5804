import {
  type ContainerBytes,
  type FaceMatchImage,
  type OzAnalysisResponse,
  OzApiGateway,
  type OzCallContext,
  type OzSessionToken,
} from '../../src/oz-api/oz-api.gateway';
import { OzApiError, type OzOperation } from '../../src/oz-api/oz-api.error';
import type { OzFolder } from '../../src/oz-api/oz-folder';

type Method = 'issueSessionToken' | 'analyzeContainer' | 'matchFaces';

interface Results {
  issueSessionToken: OzSessionToken;
  analyzeContainer: OzAnalysisResponse;
  matchFaces: OzAnalysisResponse;
}

export interface RecordedCalls {
  issueSessionToken: { ctx: OzCallContext }[];
  /** `container` joined into one buffer; `chunks` as the service handed them over. */
  analyzeContainer: { container: Buffer; chunks: readonly Buffer[]; ctx: OzCallContext }[];
  matchFaces: { images: FaceMatchImage[]; ctx: OzCallContext }[];
}

/** A call that waits at the fake's door until the test lets it through. */
export interface HeldCall {
  /** Resolves once the held call has reached the fake. */
  readonly arrived: Promise<void>;
  /** Lets the call go on to its scripted answer or error. */
  release(): void;
}

type Step<M extends Method> = { answer: Results[M] } | { error: unknown };

interface Gate {
  arrive(): void;
  released: Promise<void>;
}

/**
 * A scriptable OzApiGateway for service tests: queue answers or errors per method (one per
 * call, in order), read the recorded calls, and hold a call open to test what happens while
 * Oz is still working. A call with nothing scripted fails loudly, so a test never passes on an
 * answer it did not choose.
 */
export class FakeOzApiGateway extends OzApiGateway {
  readonly calls: RecordedCalls = { issueSessionToken: [], analyzeContainer: [], matchFaces: [] };
  private readonly steps: { [M in Method]: Step<M>[] } = { issueSessionToken: [], analyzeContainer: [], matchFaces: [] };
  private readonly gates: Record<Method, Gate[]> = { issueSessionToken: [], analyzeContainer: [], matchFaces: [] };

  /** What `hasAnalysisCapacity` answers; tests set it to script a saturated service. */
  capacity = true;

  hasAnalysisCapacity(): boolean {
    return this.capacity;
  }

  /** What `analysesInFlight` answers. */
  inFlight = 0;

  analysesInFlight(): number {
    return this.inFlight;
  }

  answer<M extends Method>(method: M, ...answers: Results[M][]): this {
    for (const answer of answers) (this.steps[method] as Step<M>[]).push({ answer });
    return this;
  }

  fail(method: Method, ...errors: unknown[]): this {
    for (const error of errors) this.steps[method].push({ error });
    return this;
  }

  /** Shorthand for a 200 folder answer of an analysis method. */
  answerFolder(method: 'analyzeContainer' | 'matchFaces', folder: OzFolder, httpStatus = 200): this {
    return this.answer(method, { httpStatus, folder });
  }

  /** Holds the next not-yet-held call of `method` until `release()` is called. */
  hold(method: Method): HeldCall {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.gates[method].push({ arrive, released });
    return { arrived, release };
  }

  /** Calls made so far, all methods together. */
  get callCount(): number {
    return this.calls.issueSessionToken.length + this.calls.analyzeContainer.length + this.calls.matchFaces.length;
  }

  issueSessionToken(ctx: OzCallContext): Promise<OzSessionToken> {
    this.calls.issueSessionToken.push({ ctx });
    return this.next('issueSessionToken', 'session_token');
  }

  /** Records the container joined into one buffer, so that tests compare bytes directly. */
  analyzeContainer(container: ContainerBytes, ctx: OzCallContext): Promise<OzAnalysisResponse> {
    this.calls.analyzeContainer.push({ container: Buffer.concat(container.chunks), chunks: container.chunks, ctx });
    return this.next('analyzeContainer', 'liveness');
  }

  matchFaces(images: FaceMatchImage[], ctx: OzCallContext): Promise<OzAnalysisResponse> {
    this.calls.matchFaces.push({ images, ctx });
    return this.next('matchFaces', 'biometry');
  }

  /** Like the real gateway, every OzApiError leaves marked with its operation. */
  private async next<M extends Method>(method: M, operation: OzOperation): Promise<Results[M]> {
    const gate = this.gates[method].shift();
    // The step is taken on arrival, so calls answer in the order they were made even when held.
    const step = (this.steps[method] as Step<M>[]).shift();
    if (gate) {
      gate.arrive();
      await gate.released;
    }
    if (!step) throw new Error(`FakeOzApiGateway: no answer scripted for call ${this.calls[method].length} of ${method}`);
    if ('error' in step) throw step.error instanceof OzApiError ? step.error.during(operation) : step.error;
    return step.answer;
  }
}
