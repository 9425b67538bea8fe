// `course lab` answers only its own page (issue 25, security): a real lab server in a course copy, raw HTTP
// requests on 127.0.0.1 with chosen headers. A missing or wrong token, a foreign Host (DNS rebinding), a foreign
// Origin and a cross-site fetch are refused with 403 before any route runs (the API and the event stream too); the
// page itself ships with a CSP that allows only its own assets; the server listens on 127.0.0.1 only.

import http from 'node:http';
import os from 'node:os';
import { rmSync } from 'node:fs';
import { copyCourse } from '../helpers';
import { startLab, type StartedLab } from './start-lab';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      // The event stream stays open: its first bytes are enough.
      res.on('data', (c: string) => {
        text += c;
        if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('course lab refuses foreign requests', () => {
  let dir: string;
  let lab: StartedLab;

  beforeAll(async () => {
    dir = copyCourse();
    lab = await startLab(dir);
  }, 90_000);

  afterAll(async () => {
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the page, its assets and the API answer with the token, Host and Origin of the printed URL', async () => {
    const t = `t=${lab.token}`;
    const page = await get(lab.port, `/?${t}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`/lab.js?t=${lab.token}`);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|https?:/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect((await get(lab.port, `/lab.js?${t}`)).status).toBe(200);
    const course = await get(lab.port, `/api/course?${t}`, { origin: `http://127.0.0.1:${lab.port}` });
    expect(course.status).toBe(200);
    expect(JSON.parse(course.body).course.exercises[0].id).toBe('hpack-table');
    expect((await get(lab.port, `/?${t}`, { host: `localhost:${lab.port}` })).status).toBe(200);
  });

  test('a missing or wrong token is refused, on every route', async () => {
    for (const path of ['/', '/lab.js', '/api/course', '/events', '/api/lesson?id=hpack-table']) {
      const missing = await get(lab.port, path);
      expect([path, missing.status]).toEqual([path, 403]);
      expect(missing.body).toMatch(/token/);
      const wrong = await get(lab.port, `${path}${path.includes('?') ? '&' : '?'}t=${lab.token.slice(0, -1)}x`);
      expect([path, wrong.status]).toEqual([path, 403]);
    }
    const check = await get(lab.port, '/api/check', { 'content-type': 'application/json' }, 'POST', '{}');
    expect(check.status).toBe(403);
  });

  test('a foreign Host header (DNS rebinding) is refused even with the token', async () => {
    for (const host of [`evil.example:${lab.port}`, 'evil.example', `127.0.0.1:${lab.port + 1}`, `127.0.0.1.nip.io:${lab.port}`]) {
      const answer = await get(lab.port, `/api/course?t=${lab.token}`, { host });
      expect([host, answer.status]).toEqual([host, 403]);
      expect(answer.body).toMatch(/Host/);
      expect(answer.body).not.toContain('hpack-table');
    }
  });

  test('a foreign Origin or a cross-site fetch is refused even with the token', async () => {
    const post = (headers: Record<string, string>) =>
      get(lab.port, `/api/demo/hpack?t=${lab.token}`, { 'content-type': 'application/json', ...headers }, 'POST', '{"requests":[{"path":"/","headers":[]}]}');
    const foreign = await post({ origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/origin/);
    expect((await post({ origin: `http://127.0.0.1:${lab.port + 1}` })).status).toBe(403);
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(lab.port, `/events?t=${lab.token}`, { origin: 'http://evil.example' })).status).toBe(403);
    // The same request from the lab's own origin goes through.
    expect((await post({ origin: `http://127.0.0.1:${lab.port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  }, 60_000);

  test('it listens on 127.0.0.1 only', async () => {
    const other = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    const refused = (host: string) =>
      new Promise<boolean>((resolve) => {
        const req = http.request({ host, port: lab.port, path: `/?t=${lab.token}`, headers: { host: `127.0.0.1:${lab.port}` } }, () => resolve(false));
        req.on('error', () => resolve(true));
        req.end();
      });
    if (other) expect(await refused(other.address)).toBe(true);
    expect(await refused('127.0.0.2')).toBe(true);
  });
});
