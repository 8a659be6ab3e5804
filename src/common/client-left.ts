import type { ServerResponse } from 'node:http';

/**
 * An abort signal that fires when the client goes away before its answer was sent: the response
 * closes unfinished (its socket closed). A request that waits (for Oz capacity, docs/api.md §13)
 * then gives up its place at once instead of at its deadline.
 */
export function signalWhenClientLeaves(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
