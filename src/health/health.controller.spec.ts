import { EventEmitter } from 'node:events';
import { ServiceUnavailableException } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { SessionLifecycle } from '../session/session-lifecycle';
import { HealthController } from './health.controller';
import { ShutdownState } from './shutdown-state';
import { StoreReadiness } from './store-readiness';

describe('HealthController', () => {
  let controller: HealthController;
  let shutdown: ShutdownState;
  let storeHealthy: () => Promise<boolean>;

  beforeEach(async () => {
    storeHealthy = async () => true;
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [ShutdownState, StoreReadiness, { provide: SessionLifecycle, useValue: { storeAnswers: () => storeHealthy().catch(() => false) } }],
    }).compile();
    controller = moduleRef.get(HealthController);
    shutdown = moduleRef.get(ShutdownState);
  });

  /** The terminus body of a 503, which HealthCheckService throws as ServiceUnavailableException. */
  async function refusal(check: Promise<unknown>): Promise<unknown> {
    const error = await check.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceUnavailableException);
    return (error as ServiceUnavailableException).getResponse();
  }

  it('is ready while the store answers and no shutdown began', async () => {
    await expect(controller.ready()).resolves.toEqual({
      status: 'ok',
      info: { store: { status: 'up' }, lifecycle: { status: 'up' } },
      error: {},
      details: { store: { status: 'up' }, lifecycle: { status: 'up' } },
    });
  });

  it('answers readiness 503 with the lifecycle down once shutdown began', async () => {
    shutdown.beforeApplicationShutdown();

    expect(await refusal(controller.ready())).toEqual({
      status: 'error',
      info: { store: { status: 'up' } },
      error: { lifecycle: { status: 'down', message: 'shutting down' } },
      details: { store: { status: 'up' }, lifecycle: { status: 'down', message: 'shutting down' } },
    });
  });

  const STORE_FAILURES: [string, () => Promise<boolean>][] = [
    ['says it is unhealthy', async () => false],
    ['throws', async () => Promise.reject(new Error('connection lost'))],
  ];

  it.each(STORE_FAILURES)('is not ready while the store %s and has never answered since the start', async (_, check) => {
    storeHealthy = check;

    expect(await refusal(controller.ready())).toEqual({
      status: 'error',
      info: { lifecycle: { status: 'up' } },
      error: { store: { status: 'down', message: 'the session store has not answered since the start' } },
      details: { store: { status: 'down', message: 'the session store has not answered since the start' }, lifecycle: { status: 'up' } },
    });
  });

  it.each(STORE_FAILURES)('stays ready, naming the outage, when the store %s after it answered once (§18)', async (_, check) => {
    await controller.ready();
    storeHealthy = check;

    const store = { status: 'up', state: 'unreachable', message: 'the session store does not answer; routes that need it answer 503' };
    await expect(controller.ready()).resolves.toEqual({
      status: 'ok',
      info: { store, lifecycle: { status: 'up' } },
      error: {},
      details: { store, lifecycle: { status: 'up' } },
    });
  });

  it('becomes ready once a store that was down at the start answers', async () => {
    storeHealthy = async () => false;
    await refusal(controller.ready());
    storeHealthy = async () => true;

    await expect(controller.ready()).resolves.toMatchObject({ status: 'ok', info: { store: { status: 'up' } } });
  });

  it('stays live while shutting down and while the store is down: liveness checks no dependency', async () => {
    shutdown.beforeApplicationShutdown();
    storeHealthy = async () => false;

    await expect(controller.live()).resolves.toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });
});

describe('ShutdownState', () => {
  function fakeServer() {
    const server = new EventEmitter();
    const host = { httpAdapter: { getHttpServer: () => server } } as unknown as HttpAdapterHost;
    return { server, host };
  }

  function fakeResponse(headersSent = false) {
    const response = new EventEmitter() as EventEmitter & {
      headersSent: boolean;
      headers: Record<string, string>;
      setHeader(name: string, value: string): void;
    };
    response.headersSent = headersSent;
    response.headers = {};
    response.setHeader = (name, value) => void (response.headers[name] = value);
    return response;
  }

  it('is not shutting down until Nest begins the shutdown', () => {
    const state = new ShutdownState();

    expect(state.isShuttingDown).toBe(false);
    state.beforeApplicationShutdown();
    expect(state.isShuttingDown).toBe(true);
  });

  it('answers requests in flight at shutdown with Connection: close, so their sockets do not hold the server open', () => {
    const { server, host } = fakeServer();
    const state = new ShutdownState(host);
    state.onApplicationBootstrap();
    const inFlight = fakeResponse();
    const streaming = fakeResponse(true);
    const finished = fakeResponse();
    for (const response of [inFlight, streaming, finished]) server.emit('request', {}, response);
    finished.emit('close');

    state.beforeApplicationShutdown();

    expect(inFlight.headers).toEqual({ connection: 'close' });
    expect(streaming.headers).toEqual({});
    expect(finished.headers).toEqual({});
  });

  it('answers requests that arrive while closing with Connection: close', () => {
    const { server, host } = fakeServer();
    const state = new ShutdownState(host);
    state.onApplicationBootstrap();
    state.beforeApplicationShutdown();
    const late = fakeResponse();

    server.emit('request', {}, late);

    expect(late.headers).toEqual({ connection: 'close' });
  });
});
