// The lab's chat room demo (exercises 3 and 4, issue 25) in headless Chromium, on a real `course lab` in a course
// copy: first with the untouched stubs (both halves on their built-in stand-ins, each with its banner), then with
// both reference solutions copied in (the learner's RoomServer relays the room, the learner's
// ReconnectingWebSocket reconnects). Every step waits for what the page shows and asserts values: the typing line
// in the other pane with the typer's name, its end (stop-typing, then an expiry no earlier than the expiry time),
// messages in both panes, presence; after "Stop server" at least two reconnect attempts with their delays inside
// the lesson's bounds (computed here from the settings the page states), after "Start server" the client and the
// panes connected again. A server that never confirms a join is replaced by the built-in peer (the banner says
// why), and a client whose delays break the bounds has them marked. Then the layout at 1280x800 and 480x800, and a clean exit of the lab on SIGTERM.

import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import YAML from 'yaml';
import { copyCourse } from '../helpers';
import { chromiumPresent, launchChromium, overflow, screenshot } from './browser';
import { startLab, type StartedLab } from './start-lab';

const maybe = chromiumPresent('the chat room demo tests') ? describe : describe.skip;

const WAIT = { timeout: 60_000 };

interface Attempt {
  attempt: number;
  delay: number;
  inside: string;
}

async function attempts(page: Page): Promise<Attempt[]> {
  return page.$$eval('#chat-attempts li.chat-attempt', (lis) =>
    lis.map((li) => ({
      attempt: Number(li.getAttribute('data-attempt')),
      delay: Number(li.getAttribute('data-delay')),
      inside: li.getAttribute('data-inside') ?? '',
    })),
  );
}

async function openChat(page: Page): Promise<void> {
  await page.focus('#chat-start');
  await page.keyboard.press('Enter');
  for (const pane of [0, 1]) await page.locator(`#chat-conn-${pane}[data-connected="true"]`).waitFor(WAIT);
  await page.locator('#chat-presence-0[data-users="Ada,Ben,Rex"]').waitFor(WAIT);
  await page.locator('#chat-client-state[data-state="open"]').waitFor(WAIT);
}

/** Types in Ada's pane; Ben's pane shows her typing, and how it ended (after stop-typing, or the expiry). */
async function adaTypesBenSees(page: Page): Promise<void> {
  await page.focus('#chat-input-0');
  await page.keyboard.type('hi');
  await page.locator('#chat-indicator-1', { hasText: /^Ada is typing…$/ }).waitFor(WAIT);
  expect(await page.locator('#chat-typers-1 li[data-user="Ada"]').innerText()).toMatch(/^✎ Ada: expires in \d\.\d s/);
  // Ada never sees herself typing.
  expect(await page.locator('#chat-indicator-0').innerText()).toBe('(nobody is typing)');
}

/** Ada sends what she typed: both panes show the message, Ben's indicator for her ends. */
async function adaSends(page: Page, text: string): Promise<void> {
  await page.focus('#chat-input-0');
  await page.keyboard.press('Enter');
  for (const pane of [0, 1]) await page.locator(`#chat-messages-${pane} li[data-user="Ada"]`, { hasText: `Ada: ${text}` }).waitFor(WAIT);
  await expect(page.locator('#chat-indicator-1').innerText()).resolves.toBe('(nobody is typing)');
  expect(['stop-typing', 'message']).toContain(await page.locator('#chat-ended-1').getAttribute('data-reason'));
}

/** Stops the server: at least two attempts, each accepted by `check`; starts it: the client and panes reconnect. */
async function outage(page: Page, check: (a: Attempt) => void): Promise<Attempt[]> {
  await page.focus('#chat-stop');
  await page.keyboard.press('Enter');
  await page.locator('#chat-status[data-running="false"]').waitFor(WAIT);
  for (const pane of [0, 1]) await page.locator(`#chat-conn-${pane}[data-connected="false"]`).waitFor(WAIT);
  await page.locator('#chat-attempts li.chat-attempt >> nth=1').waitFor(WAIT);
  const seen = await attempts(page);
  expect(seen.length).toBeGreaterThanOrEqual(2);
  seen.forEach((a, i) => {
    expect(a.attempt).toBe(i + 1);
    check(a);
  });
  const opensBefore = await page.locator('#chat-attempts li.chat-open').count();
  await page.click('#chat-resume');
  await page.locator(`#chat-attempts li.chat-open >> nth=${opensBefore}`).waitFor(WAIT);
  await page.locator('#chat-client-state[data-state="open"]').waitFor(WAIT);
  for (const pane of [0, 1]) await page.locator(`#chat-conn-${pane}[data-connected="true"]`).waitFor(WAIT);
  await page.locator('#chat-presence-0[data-users="Ada,Ben,Rex"]').waitFor(WAIT);
  return seen;
}

/** Processes still running whose command line names the course copy (the lab, its sandbox hosts). */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(dir)) found.push(`${pid}: ${cmd.slice(0, 200)}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

maybe('the chat room demo in Chromium', () => {
  let dir: string;
  let lab: StartedLab;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = copyCourse();
    lab = await startLab(dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await page.goto(`${lab.url}&x=typing-indicator&tab=demo`);
    await page.waitForSelector('#panel-demo:not([hidden]) #chat-start', WAIT);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('with the stubs: both banners say why; the built-in peer relays typing and messages, the built-in client retries every second', async () => {
    await openChat(page);
    expect(await page.locator('#chat-server-banner').innerText()).toMatch(
      /Built-in chat peer: your RoomServer is not relaying this room\. Why: .*not implemented/,
    );
    expect(await page.locator('#chat-client-banner').innerText()).toMatch(/Built-in client: your ReconnectingWebSocket is not running.*Why: .*not implemented/);
    await adaTypesBenSees(page);
    await adaSends(page, 'hi');
    await outage(page, (a) => {
      expect(a.delay).toBe(1000);
      expect(a.inside).toBe('true');
    });
    await adaTypesBenSees(page);
    await page.locator('#tabs').evaluate((e) => e.scrollIntoView());
    await screenshot(page, 'chat-room-stub');
  }, 180_000);

  test('with both references: the learner’s server shows Ada typing to Ben, then its expiry; the learner’s client backs off within the bounds', async () => {
    const course = YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as {
      exercises: Array<{ id: string; dir: string; solution: string; files: string[] }>;
    };
    for (const id of ['typing-indicator', 'backoff-reconnect']) {
      const x = course.exercises.find((e) => e.id === id)!;
      copyFileSync(path.join(dir, x.solution, x.files[0]!), path.join(dir, x.dir, x.files[0]!));
    }
    await openChat(page);
    await page.locator('#chat-server-banner[data-source="learner"]').waitFor({ ...WAIT, state: 'attached' });
    await page.locator('#chat-client-banner[data-source="learner"]').waitFor({ ...WAIT, state: 'attached' });
    expect(await page.locator('#chat-server-banner').isVisible()).toBe(false);
    expect(await page.locator('#chat-client-banner').isVisible()).toBe(false);

    // Ada's stop-typing is lost (her box unticked, by keyboard): Ben's indicator for her expires.
    await page.focus('#chat-stop-0');
    await page.keyboard.press('Space');
    expect(await page.locator('#chat-stop-0').isChecked()).toBe(false);
    await adaTypesBenSees(page);
    await page.locator('#chat-ended-1[data-reason="expired"][data-user="Ada"]').waitFor(WAIT);
    expect(Number(await page.locator('#chat-ended-1').getAttribute('data-after-last'))).toBeGreaterThanOrEqual(5000);
    expect(await page.locator('#chat-ended-1').innerText()).toMatch(
      /^■ Ada’s indicator ended \d+\.\d s after their last typing event .*: expired: no typing event for 5\.0 s\.$/,
    );
    expect(await page.locator('#chat-indicator-1').innerText()).toBe('(nobody is typing)');
    // She types again (a new typing event, the throttle interval long past), then sends: her message ends it.
    await adaTypesBenSees(page);
    await adaSends(page, 'hihi');

    const settings = page.locator('#chat-settings');
    const [base, max, factor, jitter] = await Promise.all(
      ['data-base', 'data-max', 'data-factor', 'data-jitter'].map(async (a) => Number(await settings.getAttribute(a))),
    );
    expect([base, max, factor, jitter].every((n) => Number.isFinite(n) && n > 0)).toBe(true);
    await outage(page, (a) => {
      // The lesson's formula: capped(n) = min(max, base × factor^(n−1)); the delay in (capped × (1 − jitter), capped].
      const capped = Math.min(max!, base! * factor! ** (a.attempt - 1));
      expect(a.delay).toBeGreaterThan(capped * (1 - jitter!));
      expect(a.delay).toBeLessThanOrEqual(capped);
      expect(a.inside).toBe('true');
    });
    // Ada types again after the outage: Ben sees her, through the learner's server, with the countdown.
    await adaTypesBenSees(page);
    await page.locator('#tabs').evaluate((e) => e.scrollIntoView());
    await screenshot(page, 'chat-room');
  }, 180_000);

  test('a server that never answers the join falls back, saying so; delays outside the lesson’s bounds are marked ✗', async () => {
    const course = YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as {
      exercises: Array<{ id: string; dir: string; solution: string; files: string[] }>;
    };
    const mutate = (id: string, line: string, replacement: string) => {
      const x = course.exercises.find((e) => e.id === id)!;
      const solution = readFileSync(path.join(dir, x.solution, x.files[0]!), 'utf8');
      expect(solution).toContain(line);
      writeFileSync(path.join(dir, x.dir, x.files[0]!), solution.replace(line, replacement));
    };
    // A server that takes the join but never confirms it, and a client that waits three times too long.
    mutate('typing-indicator', "send(socket, { type: 'joined', room, user, users });", 'void users;');
    mutate(
      'backoff-reconnect',
      'const delay = backoffDelay(this.attempts, this.backoff, random);',
      'const delay = 3 * backoffDelay(this.attempts, this.backoff, random);',
    );
    await openChat(page);
    expect(await page.locator('#chat-server-banner').innerText()).toMatch(
      /Built-in chat peer: your RoomServer is not relaying this room\. Why: your RoomServer did not answer Ada and Ben's join with \{"type":"joined",\.\.\.\} within 3 s/,
    );
    await page.locator('#chat-client-banner[data-source="learner"]').waitFor({ ...WAIT, state: 'attached' });
    await adaTypesBenSees(page);
    await outage(page, (a) => expect(a.inside).toBe('false'));
    expect(await page.locator('#chat-attempts li.chat-attempt').first().innerText()).toMatch(
      /^attempt 1 after close code 1006: waits \d+ ms, drawn from \(250, 500\] ms ✗ outside/,
    );
  }, 180_000);

  test('a pane sends only typing, stop-typing or a message of 1 to 2000 characters, from a pane that exists', async () => {
    const say = async (body: unknown) => {
      const response = await fetch(`http://127.0.0.1:${lab.port}/api/demo/chat/say?t=${lab.token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, error: ((await response.json()) as { error?: string }).error };
    };
    const refused = [
      { run: 1, pane: 0, message: { type: 'join', room: 'x', user: 'Mallory' } },
      { run: 1, pane: 0, message: { type: 'message', text: '' } },
      { run: 1, pane: 0, message: { type: 'message', text: 'x'.repeat(2001) } },
      { run: 1, pane: 2, message: { type: 'typing' } },
      { run: '1', pane: 0, message: { type: 'typing' } },
    ];
    for (const body of refused) expect([JSON.stringify(body).slice(0, 60), (await say(body)).status]).toEqual([JSON.stringify(body).slice(0, 60), 400]);
    // A well-formed message for a run that is over: 409, nothing sent.
    expect(await say({ run: 1, pane: 0, message: { type: 'typing' } })).toEqual({ status: 409, error: 'this chat room has been closed: start it again' });
  }, 60_000);

  test('nothing overflows at 1280x800 and 480x800', async () => {
    for (const width of [1280, 480]) {
      await page.setViewportSize({ width, height: 800 });
      const o = await overflow(page, 'main *:not(pre *):not(.table-box *), nav *');
      expect([width, o]).toEqual([width, { page: false, outside: [] }]);
      if (width === 480) {
        await page.locator('#tabs').evaluate((e) => e.scrollIntoView());
        await screenshot(page, 'chat-room-480');
      }
    }
  }, 60_000);

  test('no script error on the page; the lab exits cleanly on SIGTERM with the chat running', async () => {
    expect(pageErrors).toEqual([]);
    await lab.stop();
    // cli.ts's SIGTERM exit (143), not a kill; the sandbox hosts of both halves end with it (their channel closes).
    expect([lab.child.exitCode, lab.child.signalCode]).toEqual([143, null]);
    const deadline = Date.now() + 20_000;
    let left = leftovers(dir);
    while (left.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      left = leftovers(dir);
    }
    expect(left).toEqual([]);
  }, 60_000);
});
