// Instructor-only suite of exercise 6, websocket-protocol: a differential test of the learner's Receiver against
// `ws`'s own Receiver. Random sessions (text and binary messages, fragmented at random octets with pings and pongs
// between the fragments, a close with what follows it ignored, and now and then one fault from the Autobahn
// TestSuite's categories: reserved bits and opcodes, masking, control frame rules, fragmentation order, invalid
// UTF-8, close payloads, size limits) are encoded in harness/support/ws-differential.ts, cut at random points and
// fed to both; the learner's events must be the ones ws produces (a 1007 as soon as a text message cannot become
// valid UTF-8 is accepted too, RFC 6455 §8.1). A failing session is shrunk before it is shown. Not in the
// learners' copy.

import { checkProperty } from '../support/property';
import { useSandbox } from '../support/sandbox';
import { acceptedOutcomes, chunksOf, generateCase, learnerLines, shrinkCase, showCase, type FuzzCase } from '../support/ws-differential';

const sandbox = useSandbox({ callTimeoutMs: 4000 });

const SECTION: Record<string, string> = {
  'error 1002': 'RFC 6455 §5.2, §5.5, §7.4.1 (protocol error)',
  'error 1007': 'RFC 6455 §5.6, §8.1 (invalid payload data)',
  'error 1009': 'RFC 6455 §7.4.1 (message too big)',
};

function clip(line: string | undefined): string {
  if (line === undefined) return '(nothing)';
  return line.length > 160 ? `${line.slice(0, 160)}…(${line.length} chars)` : line;
}

async function checkCase(c: FuzzCase): Promise<void> {
  const accepted = await acceptedOutcomes(c);
  const receiver = await sandbox().construct('Receiver', { role: c.role, maxMessageSize: c.maxMessageSize });
  const got = await receiver.callWithin(10_000, 'pushAll', chunksOf(c));
  if (!Array.isArray(got)) throw new Error(`Receiver.pushAll must return an array of events; it returned ${typeof got}`);
  const have = learnerLines(got);
  if (accepted.some((want) => want.join('\n') === have.join('\n'))) return;
  const want = accepted[0]!;
  let i = 0;
  while (i < want.length && want[i] === have[i]) i++;
  const section = SECTION[want[i] ?? ''] ?? SECTION[have[i] ?? ''] ?? 'RFC 6455 §5';
  const lines = [
    `event #${i} differs from what ws's Receiver makes of the same octets (${section}):`,
    `  ws:   ${clip(want[i]) === '(nothing)' ? `no more events (${want.length} in all)` : clip(want[i])}`,
    `  you:  ${clip(have[i]) === '(nothing)' ? `no more events (your Receiver returned ${have.length})` : clip(have[i])}`,
  ];
  if (i > 0) lines.push(`  events #0..#${i - 1} matched`);
  if (accepted.length > 1) lines.push(`  (failing with 1007 at the frame where the text stops being valid UTF-8 was accepted too: ${clip(accepted[1]!.join(' | '))})`);
  lines.push(`  all of ws's events:  ${want.length ? want.map(clip).join(' | ') : '(none)'}`);
  lines.push(`  all of yours:        ${have.length ? have.map(clip).join(' | ') : '(none)'}`);
  throw new Error(lines.join('\n'));
}

describe("hidden: generated sessions, against ws's Receiver", () => {
  test('random sessions, valid and broken, cut at random points: the same events and close codes as ws (RFC 6455 §5; Autobahn 1-7, 9) {R6.14,R6.34}', async () => {
    await checkProperty<FuzzCase>({
      name: "Receiver(cut(session)) = ws's Receiver(session)",
      generate: (random) => generateCase(random),
      shrink: shrinkCase,
      check: checkCase,
      show: showCase,
      runs: 250,
    });
  }, 60_000);

  test('random sessions pushed one octet at a time (RFC 6455 §5.2) {R6.14}', async () => {
    await checkProperty<FuzzCase>({
      name: "Receiver(octet by octet) = ws's Receiver(session)",
      generate: (random) => {
        // Sessions of at most a few KiB: one push per octet.
        for (;;) {
          const c = generateCase(random, true);
          if (c.cuts.length <= 4096) return c;
        }
      },
      shrink: (c) => shrinkCase(c).map((x) => ({ ...x, cuts: Array.from({ length: chunksOf({ ...x, cuts: [] })[0]?.length ?? 0 }, (_, i) => i + 1) })),
      check: checkCase,
      show: showCase,
      runs: 12,
    });
  }, 60_000);
});
