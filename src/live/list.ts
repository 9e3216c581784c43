import { asObject, asString } from '../core/json.js';
import type { KubeObject } from '../core/types.js';
import { ApiError, type ApiClient } from './api-client.js';
import type { ApiResource } from './discovery.js';
import { pruneLiveObject, shareEqualValues } from './prune.js';

/** Page size: what kubectl uses, and small enough that one page of pods stays a few megabytes. */
export const PAGE_SIZE = 500;
// A continue token expires after a few minutes (410 Gone); starting over once is what kubectl does.
const RESTARTS_ON_EXPIRY = 1;
// A million objects of one kind, far above what a cluster holds: a server that keeps handing out new
// continue tokens must not keep kfscan reading (and holding) pages for ever.
export const MAX_PAGES = 2_000;

export function apiVersionOf(resource: Pick<ApiResource, 'group' | 'version'>): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

export function collectionPath(resource: Pick<ApiResource, 'group' | 'version' | 'resource'>, namespace: string | null = null): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  return `${base}${namespace === null ? '' : `/namespaces/${encodeURIComponent(namespace)}`}/${resource.resource}`;
}

/**
 * Every object of one resource type, cluster-wide, page by page (`limit` + `continue`). Items of built-in
 * lists come without `kind` and `apiVersion`; they get them here, and lose what no check reads.
 *
 * The next page is asked for as soon as the continue token shows at the head of an answer, before that
 * page is parsed and pruned, so that a long list costs the server's time rather than the server's and
 * kfscan's one after the other. At most one page is asked ahead, and only once the previous one is being
 * read; a guess the parsed page contradicts is dropped and the right page asked for. `onPage` sees each
 * page's objects as they come, with the attempt they belong to (a list starts over when its continue token
 * expires).
 */
export async function listAll(client: ApiClient, resource: ApiResource, onPage?: (objects: readonly KubeObject[], attempt: number) => void): Promise<KubeObject[]> {
  for (let restart = 0; ; restart++) {
    const objects: KubeObject[] = [];
    const pages = new PageRequests(client, resource);
    const apiVersion = apiVersionOf(resource);
    try {
      let page = pages.request(null);
      const tokens = pages.tokens;
      for (;;) {
        pages.readAhead(page);
        let answer: Record<string, unknown> | null;
        try {
          answer = asObject(await page.answer);
        } catch (error) {
          // A page too large to read is asked for again in smaller parts, down to one object.
          if (!(error instanceof ApiError) || error.kind !== 'too-large' || pages.limit === 1) throw error;
          pages.shrink();
          page = pages.request(page.token);
          continue;
        }
        if (!answer || !Array.isArray(answer['items'])) throw new ApiError('malformed', `the list of ${resource.resource} has no items`);
        const items: KubeObject[] = [];
        for (const item of answer['items']) {
          const object = toLiveObject(item, resource, apiVersion);
          if (object) items.push(object);
        }
        // Every page, however short its list: what is shared is garbage before the next scavenge instead of
        // copied by it twice, which saves more time than the pass costs (docs/performance.md).
        shareEqualValues(items);
        const metadata = asObject(answer['metadata']);
        for (const object of items) objects.push(object);
        onPage?.(items, restart);
        const next = asString(metadata?.['continue']);
        if (!next) return objects;
        if (tokens.has(next)) throw new ApiError('malformed', `the server returned a continue token for ${resource.resource} it had returned before: the list would never end`);
        tokens.add(next);
        if (tokens.size >= MAX_PAGES) throw new ApiError('malformed', `the list of ${resource.resource} did not end after ${MAX_PAGES} pages of ${pages.limit}`);
        page = page.ahead !== null && page.guess === next ? page.ahead : pages.request(next);
      }
    } catch (error) {
      if (error instanceof ApiError && error.kind === 'gone' && restart < RESTARTS_ON_EXPIRY) continue;
      throw error;
    }
  }
}

interface PageRequest {
  /** The continue token this page was asked for with; `null` for the first. */
  token: string | null;
  answer: Promise<unknown>;
  /** The continue token read at the head of the answer's text, before parsing. */
  guess: string | null;
  /** The request for the page after, once sent. */
  ahead: PageRequest | null;
  /** The caller is waiting for this page: the next one may be asked for as soon as its token shows. */
  reading: boolean;
}

// How much smaller a page is asked for when one was too large to read: 500, 62, 7, 1.
const SHRINK = 8;

class PageRequests {
  /** Objects per page: PAGE_SIZE, less after a page too large to read. */
  limit = PAGE_SIZE;
  /** The continue tokens the list has given so far: one given again is not asked for ahead. */
  readonly tokens = new Set<string>();

  constructor(
    private readonly client: ApiClient,
    private readonly resource: ApiResource,
  ) {}

  shrink(): void {
    this.limit = Math.max(1, Math.floor(this.limit / SHRINK));
  }

  request(token: string | null): PageRequest {
    const page: PageRequest = { token, answer: Promise.resolve(null), guess: null, ahead: null, reading: false };
    const query: Record<string, string> = { limit: String(this.limit), ...(token ? { continue: token } : {}) };
    page.answer = this.client.get(collectionPath(this.resource), query, {
      onHead: (head) => {
        page.guess ??= continueAtHead(head);
        if (page.reading) this.sendAhead(page);
      },
    });
    return page;
  }

  readAhead(page: PageRequest): void {
    page.reading = true;
    this.sendAhead(page);
  }

  private sendAhead(page: PageRequest): void {
    if (page.ahead !== null || page.guess === null || this.tokens.has(page.guess)) return;
    page.ahead = this.request(page.guess);
    // Failures of a page asked ahead surface when (and if) the loop awaits it.
    page.ahead.answer.catch(() => {});
  }
}

/** The continue token in the list metadata at the head of an answer, without parsing the items. */
function continueAtHead(text: string): string | null {
  const items = text.indexOf('"items"');
  const head = items === -1 ? text : text.slice(0, items);
  return /"continue"\s*:\s*"([^"\\]+)"/.exec(head)?.[1] ?? null;
}

export function toLiveObject(item: unknown, resource: Pick<ApiResource, 'group' | 'version' | 'kind'>, apiVersion = apiVersionOf(resource)): KubeObject | null {
  const parsed = asObject(item);
  if (!parsed || !asObject(parsed['metadata'])) return null;
  const object = pruneLiveObject(parsed, resource.kind);
  object['apiVersion'] = apiVersion;
  object['kind'] = resource.kind;
  return object as KubeObject;
}
