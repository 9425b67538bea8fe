// Small DOM helpers for the lab page. Text goes into the page only through textContent and attribute values:
// nothing the code under test printed can become markup. (The one exception, the lesson, is HTML the lab server
// rendered from the course's Markdown with raw HTML escaped: grader/lab/lesson-html.ts.)

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** The token of the URL this page was opened with: every request to the lab server carries it. */
export const token = new URLSearchParams(location.search).get('t') ?? '';

export function withToken(path: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}t=${encodeURIComponent(token)}`;
}

export async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(
    withToken(path),
    body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  const data = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(data.error ?? `HTTP ${response.status}`);
  return data;
}
