// Messages between the bench and its load-generator processes.
import type { Target } from '../lib/flow.ts';

export interface Measured {
  /** Completed requests (or flows) in the measured window. */
  count: number;
  /** HTTP requests in the window: `count` for single requests, several per code flow. */
  requests: number;
  seconds: number;
  /** Latency in milliseconds. */
  p50: number;
  p99: number;
  /** Responses other than 2xx/3xx, failed requests and failed flows. */
  errors: number;
  lastError: string;
}

/** A fixed request, or a refresh_token request that uses each refresh token once. */
export interface HttpLoad {
  kind: 'http';
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  /** With a pool, each request sends `${bodyPrefix}${token}` and puts the rotated refresh token back. */
  refreshPool?: { bodyPrefix: string; tokens: string[] };
}

export interface FlowLoad {
  kind: 'flow';
  target: Target;
  /** `first`: a new browser and a user who never signed in for every flow; `returning`: one signed-in browser per worker. */
  mode: 'first' | 'returning';
  userPrefix: string;
  /** Users [0, concurrency) sign in once for `returning`; `first` takes the next unused index from `concurrency` up. */
  users: number;
  password: string;
  concurrency: number;
}

export type LoadSpec = HttpLoad | FlowLoad;

export type ToLoad = { type: 'prepare'; spec: LoadSpec } | { type: 'run'; seconds: number } | { type: 'exit' };
export type FromLoad = { type: 'ready' } | { type: 'prepared' } | { type: 'result'; result: Measured } | { type: 'error'; error: string };

export const isType =
  <T extends FromLoad['type']>(type: T) =>
  (m: unknown): m is Extract<FromLoad, { type: T }> =>
    typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
