import { Gateway } from './gateway';

/** What a page gets: the connection, where to draw, the route's parameters and the hash query. */
export interface PageContext {
  gateway: Gateway;
  root: HTMLElement;
  params: string[];
  query: URLSearchParams;
  /** Aborted when the user leaves the page: stop timers and subscriptions. */
  signal: AbortSignal;
}

export type Page = (context: PageContext) => Promise<void>;

/** `#/topics/orders/records?partition=1` for a page and its query. */
export function pageHref(path: string, query: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function topicPath(topic: string, rest = ''): string {
  return `/topics/${encodeURIComponent(topic)}${rest}`;
}
