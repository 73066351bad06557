/**
 * What the informers need of kube-apiserver, as an interface: a paginated list and a
 * watch stream of JSON as the API server writes it. kube-client.ts implements it over
 * HTTPS with the kubeconfig's credentials; tests drive it with a scripted server.
 */
import type { JsonRecord } from '../core/kubernetes/shape.js';

export interface ListPage {
  readonly items: readonly JsonRecord[];
  readonly resourceVersion: string;
  readonly continueToken?: string;
}

export interface WatchEvent {
  readonly type: string;
  readonly object: JsonRecord;
}

/** An answer of the API server other than 200: its status code, and the Status message if any. */
export class ApiStatusError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiStatusError';
  }
}

export interface WatchHandlers {
  /** The API server accepted the watch. */
  readonly onOpen: () => void;
  readonly onEvent: (event: WatchEvent) => void;
}

export interface KubeApi {
  /** One page of a list; `continueToken` from the previous page. */
  list(path: string, limit: number, continueToken: string | undefined, signal: AbortSignal): Promise<ListPage>;
  /** Streams watch events until the server ends the watch (resolves) or it fails (rejects). */
  watch(path: string, resourceVersion: string, handlers: WatchHandlers, signal: AbortSignal): Promise<void>;
  /** The API server, for log lines. */
  readonly server: string;
}

export type RequestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Single requests, for what the audit reads by name and writes (reports, its Lease). */
export interface KubeRequests {
  /**
   * One request with a JSON body (or none). Resolves with the answer's JSON; rejects with
   * ApiStatusError for any status but 2xx (404 for a missing object, 409 for a conflict).
   */
  send(method: RequestMethod, path: string, body: JsonRecord | undefined, signal: AbortSignal): Promise<JsonRecord>;
}

/** Every item of a paginated list, each passed through `keep` as its page arrives (so a page's raw items can go before the next). */
export async function listAllPages<T>(api: KubeApi, path: string, options: { readonly pageSize: number; readonly signal: AbortSignal; readonly keep: (item: JsonRecord) => T }): Promise<T[]> {
  const kept: T[] = [];
  let continueToken: string | undefined;
  do {
    const page = await api.list(path, options.pageSize, continueToken, options.signal);
    for (const item of page.items) kept.push(options.keep(item));
    continueToken = page.continueToken;
  } while (continueToken !== undefined);
  return kept;
}
