// The parking lot demo (issue 25, demo 4) in headless Chromium, on a real `course lab` in a course copy: first with
// the untouched exercise 9 stub (the banner says why, the built-in peer still carries the QUIC lane to the end),
// then with the reference solution copied in (the learner's QuicServer and QuicClient in the sandbox host). Each
// run starts both downloads, presses Switch network by keyboard mid-transfer and waits for both to finish, then
// asserts what the page shows: TCP needed a second connection, QUIC kept its one connection ID, its new path was
// validated after the switch, and both lanes hold the whole file. Timing figures are shown, never asserted.
// Layout at 1280x800 and 480x800; screenshots under COURSE_LAB_SCREENSHOTS=1.

import { copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import YAML from 'yaml';
import { copyCourse } from '../helpers';
import { chromiumPresent, launchChromium, overflow, screenshot } from './browser';
import { startLab, type StartedLab } from './start-lab';

const maybe = chromiumPresent('the parking lot demo tests') ? describe : describe.skip;

const WAIT = { timeout: 120_000 };
const SIZE = 4 * 1024 * 1024;

interface Entry {
  id: string;
  dir: string;
  solution: string;
  files: string[];
}

interface Shown {
  status: string;
  banner: { visible: boolean; text: string };
  tcp: { fileBytes: number; connections: number; done: string | null; connectionRows: string[] };
  quic: { fileBytes: number; cids: number; done: string | null; source: string | null; cidText: string; paths: string[]; resumed: string; validated: string };
  timeline: Array<{ kind: string; lane: string; at: number; text: string }>;
}

async function readShown(page: Page): Promise<Shown> {
  const banner = page.locator('#parking-banner');
  return {
    status: await page.locator('#parking-status').innerText(),
    banner: { visible: await banner.isVisible(), text: await banner.innerText() },
    tcp: await page.$eval('#parking-tcp', (s) => ({
      fileBytes: Number(s.getAttribute('data-file-bytes')),
      connections: Number(s.getAttribute('data-connections')),
      done: s.getAttribute('data-done'),
      connectionRows: [...s.querySelectorAll('.parking-conns li')].map((li) => li.textContent ?? ''),
    })),
    quic: await page.$eval('#parking-quic', (s) => ({
      fileBytes: Number(s.getAttribute('data-file-bytes')),
      cids: Number(s.getAttribute('data-cids')),
      done: s.getAttribute('data-done'),
      source: s.getAttribute('data-source'),
      cidText: s.querySelector('.quic-cid')?.textContent ?? '',
      paths: [...s.querySelectorAll('.parking-paths li')].map((li) => li.textContent ?? ''),
      resumed: s.querySelector('.quic-resumed')?.textContent ?? '',
      validated: s.querySelector('.quic-validated')?.textContent ?? '',
    })),
    timeline: await page.$$eval('#parking-timeline li', (lis) =>
      lis.map((li) => ({
        kind: li.getAttribute('data-kind') ?? '',
        lane: li.getAttribute('data-lane') ?? '',
        at: Number(li.getAttribute('data-at')),
        text: li.textContent ?? '',
      })),
    ),
  };
}

/** Starts both downloads, presses Switch network (keyboard) once both are under way, waits for the end. */
async function runWithSwitch(page: Page): Promise<Shown> {
  const before = Number((await page.getAttribute('#parking-status', 'data-run')) ?? 0);
  await page.selectOption('#parking-size', String(SIZE));
  await page.click('#parking-start');
  // Mid-transfer (of this run): both lanes past a tenth of the file.
  await page.waitForFunction(
    ({ size, run }) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document;
      const attr = (id: string, a: string) => Number(doc.querySelector(id)?.getAttribute(a) ?? 0);
      return (
        attr('#parking-status', 'data-run') > run && attr('#parking-tcp', 'data-file-bytes') > size / 10 && attr('#parking-quic', 'data-file-bytes') > size / 10
      );
    },
    { size: SIZE, run: before },
    WAIT,
  );
  await page.waitForSelector('#parking-switch:not([disabled])', WAIT);
  await page.focus('#parking-switch');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#parking-status[data-state="done"]', WAIT);
  return readShown(page);
}

/** What every run must show, whoever carried the QUIC lane. */
function checkRun(shown: Shown): void {
  // Both lanes hold the whole file.
  expect([shown.tcp.fileBytes, shown.tcp.done]).toEqual([SIZE, 'true']);
  expect([shown.quic.fileBytes, shown.quic.done]).toEqual([SIZE, 'true']);
  // TCP: the switch broke the first connection; the server saw a second one, from another client port.
  expect(shown.tcp.connections).toBe(2);
  expect(shown.tcp.connectionRows[0]).toMatch(/^client port (\d+): ✗ broken, [\d,]+ B from byte 0$/);
  expect(shown.tcp.connectionRows[1]).toMatch(/^client port (\d+): ✓ complete, [\d,]+ B from byte [\d,]+$/);
  const [first, second] = shown.tcp.connectionRows.map((r) => /port (\d+)/.exec(r)![1]);
  expect(first).not.toBe(second);
  // QUIC: one connection ID in every packet of the client, before and after; two paths, the new one validated.
  expect(shown.quic.cids).toBe(1);
  expect(shown.quic.cidText).toMatch(/^[0-9a-f]{16} \(unchanged ✓\)$/);
  expect(shown.quic.paths).toHaveLength(2);
  expect(shown.quic.paths[0]).toMatch(/^path 0: .*✓ validated, by the handshake$/);
  expect(shown.quic.paths[1]).toMatch(/^path 1: client port \d+ .*✓ validated, [1-9]\d* PATH_CHALLENGE$/);
  expect(shown.quic.resumed).toMatch(/^went on at byte [1-9][\d,]*$/);
  expect(shown.quic.validated).toMatch(/^✓ \d+ ms after the switch$/);
  // The timeline: the switch, then (on the QUIC lane) a challenge and the validation; TCP's break after the switch.
  const at = (kind: string, lane: string) => shown.timeline.findIndex((e) => e.kind === kind && e.lane === lane);
  const switched = at('switch', 'both');
  expect(switched).toBeGreaterThan(0);
  expect(at('challenge', 'quic')).toBeGreaterThan(switched);
  expect(at('validated', 'quic')).toBeGreaterThan(at('challenge', 'quic'));
  expect(shown.timeline[at('validated', 'quic')]!.at).toBeGreaterThanOrEqual(shown.timeline[switched]!.at);
  expect(at('broken', 'tcp')).toBeGreaterThan(switched);
  expect(
    shown.timeline
      .filter((e) => e.kind === 'complete')
      .map((e) => e.lane)
      .sort(),
  ).toEqual(['quic', 'tcp']);
  expect(shown.timeline.some((e) => e.kind === 'failed')).toBe(false);
  // Said in words, not colour only.
  expect(shown.timeline[switched]!.text).toMatch(/⇄ Switch network/);
  expect(shown.status).toMatch(/^done: run \d+, switched at \d+\.\d\d s$/);
}

maybe('the parking lot demo in Chromium', () => {
  let dir: string;
  let lab: StartedLab;
  let browser: Browser;
  let page: Page;
  let entry: Entry;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = copyCourse();
    entry = (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises.find((e) => e.id === 'quic-migration')!;
    lab = await startLab(dir, ['quic-migration']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await page.goto(`${lab.url}&x=quic-migration&tab=demo`);
    await page.waitForSelector('#panel-demo:not([hidden]) #parking-start', WAIT);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('with the untouched stub: the banner says why, and the built-in peer still completes across the switch', async () => {
    const shown = await runWithSwitch(page);
    expect(shown.banner.visible).toBe(true);
    expect(shown.banner.text).toMatch(/^Built-in peer: .*Why: .*not implemented/);
    expect(shown.quic.source).toBe('fallback');
    checkRun(shown);
    // Restarted (the default): the second connection asked for the whole file again.
    expect(shown.tcp.connectionRows[1]).toMatch(new RegExp(`: ✓ complete, ${SIZE.toLocaleString('en-US')} B from byte 0$`));
    expect(shown.timeline.some((e) => e.lane === 'tcp' && /the whole file again, from byte 0/.test(e.text))).toBe(true);
    await screenshot(page, 'parking-lot-stub-1280');
  }, 240_000);

  test("with the reference solution copied in: the learner's transport keeps its connection ID; TCP resumes by Range", async () => {
    copyFileSync(path.join(dir, entry.solution, entry.files[0]!), path.join(dir, entry.dir, entry.files[0]!));
    await page.selectOption('#parking-recovery', 'range');
    const shown = await runWithSwitch(page);
    expect(shown.quic.source).toBe('learner');
    expect(shown.banner.visible).toBe(false);
    checkRun(shown);
    // Resumed, not restarted: the second connection asked for the rest, and nothing was received twice.
    expect(shown.tcp.connectionRows[1]).toMatch(/^client port \d+: ✓ complete, [\d,]+ B from byte [1-9][\d,]*$/);
    expect(shown.timeline.some((e) => e.lane === 'tcp' && /Range: bytes=[1-9]\d*-/.test(e.text))).toBe(true);
    const [, firstBytes] = /: ✗ broken, ([\d,]+) B/.exec(shown.tcp.connectionRows[0]!)!;
    const [, secondBytes, from] = /: ✓ complete, ([\d,]+) B from byte ([\d,]+)/.exec(shown.tcp.connectionRows[1]!)!;
    const n = (s: string | undefined) => Number(s!.replace(/,/g, ''));
    expect(n(from)).toBe(n(firstBytes));
    expect(n(firstBytes) + n(secondBytes)).toBe(SIZE);
    await screenshot(page, 'parking-lot-1280');
  }, 240_000);

  test('reads at 1280x800 and 480x800: nothing overflows', async () => {
    for (const width of [1280, 480]) {
      await page.setViewportSize({ width, height: 800 });
      const o = await overflow(page, 'main *');
      expect([width, o]).toEqual([width, { page: false, outside: [] }]);
    }
    await page.locator('#parking-tcp').evaluate((e) => e.scrollIntoView());
    const shot = await screenshot(page, 'parking-lot-480');
    expect(shot.readUInt32BE(16)).toBe(480);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test('stopped (SIGTERM) mid-run, the lab leaves no process behind: no sandbox host, no relay', async () => {
    const before = Number((await page.getAttribute('#parking-status', 'data-run')) ?? 0);
    await page.click('#parking-start');
    await page.waitForFunction(
      (run) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document;
        const attr = (id: string, a: string) => Number(doc.querySelector(id)?.getAttribute(a) ?? 0);
        return attr('#parking-status', 'data-run') > run && attr('#parking-quic', 'data-file-bytes') > 0;
      },
      before,
      WAIT,
    );
    // The learner's endpoints are running in a sandbox host that the lab itself started (the watch's check runs
    // its own, under the jest process): a child of the lab running the build of exercise 9.
    const build = path.join(dir, '.course', 'build', 'quic-migration');
    expect(processesIn(dir).filter((p) => p.ppid === lab.child.pid && p.cmdline.includes(build))).toHaveLength(1);
    await lab.stop();
    const deadline = Date.now() + 15_000;
    while (processesIn(dir).length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(processesIn(dir)).toEqual([]);
  }, 120_000);
});

/** Processes whose command line mentions `dir` (Linux /proc), with their parent. */
function processesIn(dir: string): Array<{ pid: number; ppid: number; cmdline: string }> {
  const found: Array<{ pid: number; ppid: number; cmdline: string }> = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // /proc/<pid>/stat: "pid (comm) state ppid ...", comm may hold spaces: read after its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (cmdline.includes(dir)) found.push({ pid: Number(pid), ppid, cmdline });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}
