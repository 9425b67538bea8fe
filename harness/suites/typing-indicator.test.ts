// Hidden suite of exercise 4, typing-indicator.
//
// Part 1, the room server: the learner's RoomServer runs in the sandbox on 127.0.0.1:0; real `ws` clients in this
// trusted process (harness/support/typing-peer.ts) join rooms and assert on what each of them receives. Absence
// ("never back to the sender", "never to another room") is proven with a ping/pong barrier, not a sleep.
//
// Part 2, the client logic: the learner's TypingClient runs in the sandbox and connects to the chat mock server
// (harness/mocks/chat-server.ts), which plays scripted remote users and records every event the client sends. The
// indicator texts come back through a render callback. Timing uses small scaled delays with one-sided bounds:
// nothing may happen early (checked tightly against the server's own send/receive times, which bound the client's
// times from the safe side), and late is only judged with a generous margin.

import { performance } from 'node:perf_hooks';
import type { Remote } from '../sandbox/client';
import { useSandbox } from '../support/sandbox';
import { Peer } from '../support/typing-peer';
import { ChatServer, type ChatConnection, type ScriptStep } from '../mocks/chat-server';
import { formatMs, formatWindow, renderTimeline, type TimelineRow } from '../support/timeline';
import { showEvidence, timelineEvidence, typingLane } from '../support/evidence';

const sandbox = useSandbox({ callTimeoutMs: 3000 });

/** How late something may be under load before it counts as "not done". Early is never tolerated. */
const LATE = 1500;
/** Timer slack: Node may fire a timer up to ~1 ms before its nominal time, and clocks are read at ms precision. */
const EARLY_TOLERANCE = 3;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function codeOf(m: Record<string, unknown> | undefined): string {
  return m ? String(m.code) : '(none)';
}

// =================================================================================================================
// Part 1: the room server
// =================================================================================================================

describe('room server', () => {
  let server: Remote | undefined;
  let peers: Peer[] = [];

  afterEach(async () => {
    for (const p of peers) p.terminate();
    peers = [];
    if (server) {
      await server.call('close').catch(() => undefined);
      server = undefined;
    }
  });

  async function start(options: Record<string, unknown> = {}): Promise<number> {
    server = await sandbox().construct('RoomServer', { port: 0, host: '127.0.0.1', ...options });
    const port = await server.call('listen');
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0) {
      throw new Error(`RoomServer.listen() must resolve with the port it listens on; it resolved with ${JSON.stringify(port)}`);
    }
    return port;
  }

  async function connect(port: number, name: string): Promise<Peer> {
    const peer = await Peer.open(name, port);
    peers.push(peer);
    return peer;
  }

  /** Connects and joins; fails with the evidence when the server does not confirm. */
  async function join(port: number, user: string, room = 'general'): Promise<Peer> {
    const peer = await connect(port, user);
    peer.send({ type: 'join', room, user });
    const joined = await peer.next((m) => m.type === 'joined');
    if (!joined) {
      throw new Error(
        `${user} sent {"type":"join","room":"${room}","user":"${user}"} and got no {"type":"joined",...} reply within ` +
          `${1500} ms.\n${peer.transcript()}`,
      );
    }
    return peer;
  }

  /** Waits for all the given peers' barriers: after it, whatever the server sent them before is in their inbox. */
  async function settle(...ps: Peer[]): Promise<void> {
    for (const p of ps) {
      if (!(await p.barrier())) {
        throw new Error(`${p.name}'s connection did not answer a WebSocket ping within 2 s (RFC 6455 §5.5.2): is the server stuck, or did it close the connection?\n${p.transcript()}`);
      }
    }
  }

  function expectNone(peer: Peer, what: string, bad: (m: Record<string, unknown>) => boolean, from: number, rule: string): void {
    const found = peer.inbox.slice(from).find((r) => r.message !== undefined && bad(r.message));
    if (found) throw new Error(`${rule}\n${peer.name} received ${what}: ${found.raw}\n${peer.transcript()}`);
  }

  async function expectReceive(peer: Peer, what: string, match: (m: Record<string, unknown>) => boolean, rule: string, from = 0) {
    const m = await peer.next(match, LATE, from);
    if (!m) throw new Error(`${rule}\n${peer.name} should have received ${what} within ${LATE} ms.\n${peer.transcript()}`);
    return m;
  }

  test('the joined reply confirms the room and lists its users in join order (presence) {R4.18,R4.34,R4.1}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    expect(alice.messages('joined')[0]).toMatchObject({ type: 'joined', room: 'general', user: 'Alice', users: ['Alice'] });
    const bob = await join(port, 'Bob');
    const reply = bob.messages('joined')[0]!;
    if (JSON.stringify(reply.users) !== JSON.stringify(['Alice', 'Bob']) || reply.user !== 'Bob' || reply.room !== 'general') {
      throw new Error(
        'The joined reply must carry the room, the user, and users: everyone in the room in join order, ' +
          `the newcomer last. Expected {"type":"joined","room":"general","user":"Bob","users":["Alice","Bob"]}.\n${bob.transcript()}`,
      );
    }
  });

  test('the others in the room are told who joined, with the new user list (presence) {R4.18}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const mark = alice.inbox.length;
    await join(port, 'Bob');
    await expectReceive(
      alice,
      '{"type":"presence","event":"join","user":"Bob","users":["Alice","Bob"]}',
      (m) => m.type === 'presence' && m.event === 'join' && m.user === 'Bob' && JSON.stringify(m.users) === '["Alice","Bob"]',
      'When someone joins, every other member of the room gets a presence message.',
      mark,
    );
  });

  test('typing is relayed to every other member of the room, named by the server (RFC 6455 §5.6) {R4.17,R4.23}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const carol = await join(port, 'Carol');
    alice.send({ type: 'typing' });
    for (const p of [bob, carol]) {
      await expectReceive(p, '{"type":"typing","user":"Alice"}', (m) => m.type === 'typing' && m.user === 'Alice', 'A typing event goes to everyone else in the room.');
    }
  });

  test('typing is never sent back to the one who is typing {R4.32,R4.41}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const mark = alice.inbox.length;
    alice.send({ type: 'typing' });
    await expectReceive(bob, '{"type":"typing","user":"Alice"}', (m) => m.type === 'typing', 'A typing event goes to everyone else in the room.');
    await settle(alice);
    expectNone(alice, 'her own typing event', (m) => m.type === 'typing', mark, 'The sender must not get her own typing event back: her client would show "Alice is typing…" to Alice.');
  });

  test('a message is relayed from the message handler itself: sent in one TCP write with a ping, its echo comes back before the pong {R4.41}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    await join(port, 'Bob');
    const beforePong = await alice.sendWithPing({ type: 'message', text: 'in step' });
    if (beforePong === undefined) throw new Error(`Alice sent a message and a ping; no pong came back within 2 s.\n${alice.transcript()}`);
    if (!beforePong.some((r) => r.message?.type === 'message' && r.message.text === 'in step')) {
      throw new Error(
        [
          'Alice sent {"type":"message","text":"in step"} and a ping in the same TCP packet. The ws server answers the ping as soon as it has read it,',
          'right after calling your message handler for the message before it: a relay sent from the handler is on the wire before the pong.',
          'Alice received the pong first, so the relay was deferred (a timer, a promise, a microtask): relay synchronously from your message handler.',
          alice.transcript(),
        ].join('\n'),
      );
    }
  });

  test('typing never reaches members of another room {R4.17,R4.41}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice', 'general');
    const bob = await join(port, 'Bob', 'general');
    const dave = await join(port, 'Dave', 'random');
    const mark = dave.inbox.length;
    alice.send({ type: 'typing' });
    await expectReceive(bob, '{"type":"typing","user":"Alice"}', (m) => m.type === 'typing', 'A typing event goes to everyone else in the room.');
    await settle(dave);
    expectNone(dave, "a typing event from another room", (m) => m.type === 'typing', mark, 'Rooms are separate: Alice typing in "general" must not reach Dave in "random".');
  });

  test('stop-typing is relayed to the others in the room only {R4.32,R4.17}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice', 'general');
    const bob = await join(port, 'Bob', 'general');
    const dave = await join(port, 'Dave', 'random');
    const marks = [alice.inbox.length, dave.inbox.length];
    alice.send({ type: 'stop-typing' });
    await expectReceive(bob, '{"type":"stop-typing","user":"Alice"}', (m) => m.type === 'stop-typing' && m.user === 'Alice', 'stop-typing goes to everyone else in the room.');
    await settle(alice, dave);
    expectNone(alice, 'her own stop-typing', (m) => m.type === 'stop-typing', marks[0]!, 'Never back to the sender.');
    expectNone(dave, 'stop-typing from another room', (m) => m.type === 'stop-typing', marks[1]!, 'Never to another room.');
  });

  test('a chat message goes to everyone in the room, the sender included, and to no other room {R4.33,R4.17}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice', 'general');
    const bob = await join(port, 'Bob', 'general');
    const dave = await join(port, 'Dave', 'random');
    const mark = dave.inbox.length;
    alice.send({ type: 'message', text: 'hi all' });
    for (const p of [alice, bob]) {
      await expectReceive(
        p,
        '{"type":"message","user":"Alice","text":"hi all"}',
        (m) => m.type === 'message' && m.user === 'Alice' && m.text === 'hi all',
        'A chat message is delivered to every member of the room, its sender included (her copy confirms it was sent).',
      );
    }
    await settle(dave);
    expectNone(dave, 'a message from another room', (m) => m.type === 'message', mark, 'Never to another room.');
  });

  test('a clean close is announced to the room as a leave (RFC 6455 §7.1.1) {R4.19,R4.20}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const mark = alice.inbox.length;
    bob.close();
    await expectReceive(
      alice,
      '{"type":"presence","event":"leave","user":"Bob","users":["Alice"]}',
      (m) => m.type === 'presence' && m.event === 'leave' && m.user === 'Bob' && JSON.stringify(m.users) === '["Alice"]',
      'When a member leaves, the others get a presence message with the new user list.',
      mark,
    );
  });

  test('an abrupt disconnect (no close frame) is announced as a leave too (RFC 6455 §7.1.5) {R4.19,R4.20}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const mark = alice.inbox.length;
    bob.terminate();
    await expectReceive(
      alice,
      '{"type":"presence","event":"leave","user":"Bob","users":["Alice"]}',
      (m) => m.type === 'presence' && m.event === 'leave' && m.user === 'Bob',
      'A connection that drops without a close frame (code 1006) is a leave as well: otherwise Bob stays "online", ' +
        'and stays "typing", forever.',
      mark,
    );
  });

  test('the user name comes from the join, never from the event itself {R4.23,R4.24}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const mark = bob.inbox.length;
    // Forged names: the server may drop the extra field or reject these messages, but never believe them.
    alice.send({ type: 'typing', user: 'Mallory' });
    alice.send({ type: 'message', text: 'hello', user: 'Mallory' });
    alice.send({ type: 'message', text: 'clean' });
    await expectReceive(bob, 'Alice\'s message "clean"', (m) => m.type === 'message' && m.text === 'clean', 'Messages are relayed with the sender\'s joined name.');
    await settle(bob);
    expectNone(bob, 'an event naming a user the sender is not', (m) => m.user !== undefined && m.user !== 'Alice', mark,
      'Alice joined as "Alice": the server must name her from her connection, never trust a "user" field she sends.');
  });

  test('malformed JSON gets a bad-json error, reaches no one, and the server carries on {R4.21,R4.31,R4.35}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const anomalies = sandbox().anomalies.length;
    const marks = [alice.inbox.length, bob.inbox.length];
    alice.send('{"type": "typing"');
    const error = await alice.next((m) => m.type === 'error', LATE, marks[0]);
    if (error?.code !== 'bad-json') {
      throw new Error(
        `Alice sent the text {"type": "typing" (not valid JSON). Expected {"type":"error","code":"bad-json",...} back; ` +
          `got ${error ? JSON.stringify(error) : 'nothing'}.\n${alice.transcript()}\n` +
          (sandbox().anomalies.length > anomalies ? `Your server threw: ${sandbox().anomalies.slice(anomalies).join('; ')}` : ''),
      );
    }
    await settle(bob);
    expectNone(bob, 'something caused by a malformed message', () => true, marks[1]!, 'A malformed message must not reach anyone else.');
    alice.send({ type: 'typing' });
    await expectReceive(bob, '{"type":"typing","user":"Alice"}', (m) => m.type === 'typing', 'After a malformed message the server keeps working for everyone.');
    await join(port, 'Carol');
    expect(sandbox().anomalies.slice(anomalies)).toEqual([]);
  });

  test('an unknown message type gets a bad-message error and is not relayed {R4.22,R4.31,R4.35}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const marks = [alice.inbox.length, bob.inbox.length];
    alice.send({ type: 'shout', text: 'HELLO' });
    const error = await alice.next((m) => m.type === 'error', LATE, marks[0]);
    if (error?.code !== 'bad-message') {
      throw new Error(`{"type":"shout"} is not a message type of this protocol: expected an error with code "bad-message", got ${codeOf(error)}.\n${alice.transcript()}`);
    }
    await settle(bob);
    expectNone(bob, 'an unknown message', () => true, marks[1]!, 'An invalid message must not reach anyone else.');
  });

  test('fields of the wrong type get a bad-message error (validate every field) {R4.22,R4.35}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const marks = [alice.inbox.length, bob.inbox.length];
    for (const bad of [{ type: 'message', text: 42 }, { type: 'message' }, ['typing'], 'typing', null]) {
      const from = alice.inbox.length;
      alice.send(JSON.stringify(bad));
      const error = await alice.next((m) => m.type === 'error', LATE, from);
      if (error?.code !== 'bad-message') {
        throw new Error(`Alice sent ${JSON.stringify(bad)}: expected an error with code "bad-message", got ${codeOf(error)}.\n${alice.transcript()}`);
      }
    }
    await settle(bob);
    expectNone(bob, 'a relayed invalid message', () => true, marks[1]!, 'Invalid messages must not reach anyone else.');
  });

  test('a join with a missing, empty or over-long name gets a bad-message error {R4.29}', async () => {
    const port = await start();
    const peer = await connect(port, 'newcomer');
    for (const bad of [
      { type: 'join', room: 'general' },
      { type: 'join', room: 'general', user: '' },
      { type: 'join', room: 'general', user: 'x'.repeat(33) },
      { type: 'join', room: 7, user: 'Eve' },
      { type: 'join', room: '', user: 'Eve' },
      { type: 'join', room: 'r'.repeat(65), user: 'Eve' },
    ]) {
      const from = peer.inbox.length;
      peer.send(bad);
      const error = await peer.next((m) => m.type === 'error' || m.type === 'joined', LATE, from);
      if (error?.type !== 'error' || error.code !== 'bad-message') {
        throw new Error(`A join must have room (1-64 chars) and user (1-32 chars) strings. ${JSON.stringify(bad).slice(0, 80)} should get an error with code "bad-message"; got ${error ? JSON.stringify(error) : 'nothing'}.`);
      }
    }
  });

  test('names at the bounds are accepted: a room of 1 and of 64 characters, a user of 1 and of 32 {R4.29}', async () => {
    const port = await start();
    for (const [room, user] of [['r', 'u'], ['r'.repeat(64), 'u'.repeat(32)]] as const) {
      const peer = await connect(port, `bounds-${room.length}`);
      const from = peer.inbox.length;
      peer.send({ type: 'join', room, user });
      const reply = await peer.next((m) => m.type === 'error' || m.type === 'joined', LATE, from);
      if (reply?.type !== 'joined') {
        throw new Error(`A room name may have 1-64 characters and a user name 1-32 (the bounds included): joining room of ${room.length} as a user of ${user.length} should be answered "joined"; got ${reply ? JSON.stringify(reply).slice(0, 160) : 'nothing'}.`);
      }
    }
  });

  test('a chat message over 2000 characters gets a bad-message error and is not relayed {R4.29,R4.31}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const marks = [alice.inbox.length, bob.inbox.length];
    alice.send({ type: 'message', text: 'a'.repeat(2001) });
    const error = await alice.next((m) => m.type === 'error', LATE, marks[0]);
    if (error?.code !== 'bad-message') throw new Error(`A 2001-character message should get an error with code "bad-message"; got ${codeOf(error)}.`);
    await settle(bob);
    expectNone(bob, 'an over-long message', (m) => m.type === 'message', marks[1]!, 'Rejected messages must not reach anyone else.');
  });

  test('a message above the size limit closes that connection (1009 Message Too Big); the largest valid message still passes (RFC 6455 §7.4.1, §10.4) {R4.30}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    // The largest valid message: 2000 characters that JSON escapes as \u0001, six bytes each (about 12 KB).
    const text = '\u0001'.repeat(2000);
    let mark = bob.inbox.length;
    alice.send({ type: 'message', text });
    if (!(await bob.next((m) => m.type === 'message' && m.text === text, LATE, mark))) {
      throw new Error(`A valid message of 2000 characters (${JSON.stringify({ type: 'message', text }).length} bytes as JSON) must be relayed: the size limit is too small.\n${bob.transcript()}`);
    }
    const eve = await join(port, 'Eve');
    const eveMark = eve.inbox.length;
    eve.send('x'.repeat(2 * 1024 * 1024));
    await eve.next(() => false, 3000, eveMark); // returns early once the connection closes
    const replies = eve.inbox.slice(eveMark).map((r) => r.raw.slice(0, 80));
    if (!eve.closed || (eve.closeCode !== 1009 && eve.closeCode !== 1006)) {
      throw new Error(
        [
          'Eve sent one 2 MiB text message. ws accepts up to 100 MiB per message by default and buffers each one whole before your',
          'handler runs, so without a limit every connection can make the server hold that much. Pass maxPayload to the',
          'WebSocketServer (any value from 16 KiB to 1 MiB; the valid messages here are at most about 12 KB): ws then closes',
          'the connection with 1009 Message Too Big as soon as the frame header announces more.',
          `Eve's connection: ${eve.closed ? `closed with ${String(eve.closeCode)}` : 'still open after 3 s'}; replies: ${replies.length ? replies.join(' | ') : 'none'}`,
        ].join('\n'),
      );
    }
    mark = bob.inbox.length;
    alice.send({ type: 'message', text: 'still here' });
    if (!(await bob.next((m) => m.type === 'message' && m.text === 'still here', LATE, mark))) {
      throw new Error(`After closing Eve's connection the room must carry on: Alice's next message did not reach Bob.\n${bob.transcript()}`);
    }
  });

  test('events before a join get a not-joined error and reach no one {R4.35,R4.31}', async () => {
    const port = await start();
    const bob = await join(port, 'Bob');
    const stranger = await connect(port, 'stranger');
    const mark = bob.inbox.length;
    stranger.send({ type: 'typing' });
    const error = await stranger.next((m) => m.type === 'error', LATE);
    if (error?.code !== 'not-joined') throw new Error(`typing before join should get an error with code "not-joined"; got ${codeOf(error)}.\n${stranger.transcript()}`);
    await settle(bob);
    expectNone(bob, 'an event from a connection that never joined', () => true, mark, 'A connection that has not joined belongs to no room.');
  });

  test('a name already taken in the room gets a name-taken error; another room is fine {R4.25}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice', 'general');
    const mark = alice.inbox.length;
    const impostor = await connect(port, 'second Alice');
    impostor.send({ type: 'join', room: 'general', user: 'Alice' });
    const reply = await impostor.next((m) => m.type === 'error' || m.type === 'joined', LATE);
    if (reply?.type !== 'error' || reply.code !== 'name-taken') {
      throw new Error(`A second "Alice" in the same room must get an error with code "name-taken" (else anyone can impersonate her); got ${reply ? JSON.stringify(reply) : 'nothing'}.`);
    }
    await join(port, 'Alice', 'random');
    await settle(alice);
    expectNone(alice, 'a presence event for the impostor', (m) => m.type === 'presence', mark, 'A refused join is not a join.');
  });

  test('a client flooding typing events is rate-limited; the others are not {R4.26,R4.27,R4.28}', async () => {
    const port = await start({ typingLimit: 3, typingWindowMs: 20_000 });
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const marks = [alice.inbox.length, bob.inbox.length];
    for (let i = 0; i < 25; i++) alice.send({ type: 'typing' });
    alice.send({ type: 'message', text: 'done' });
    await expectReceive(bob, 'Alice\'s message', (m) => m.type === 'message', 'Chat messages are not rate-limited by typing.', marks[1]);
    await settle(alice, bob);
    const relayed = bob.messages('typing', marks[1]).length;
    const limited = alice.messages('error', marks[0]).filter((m) => m.code === 'rate-limited').length;
    if (relayed !== 3 || limited < 1) {
      throw new Error(
        `With typingLimit 3 per 20 s, Alice sent 25 typing events at once: Bob should get exactly 3 (got ${relayed}) and ` +
          `Alice at least one error with code "rate-limited" (got ${limited}).\n${alice.transcript(6)}`,
      );
    }
    const mark = alice.inbox.length;
    bob.send({ type: 'typing' });
    await expectReceive(alice, '{"type":"typing","user":"Bob"}', (m) => m.type === 'typing' && m.user === 'Bob', 'The limit is per connection: Bob is not limited because Alice flooded.', mark);
  });

  test('without options the rate limit is 5 typing events per connection {R4.36}', async () => {
    const port = await start();
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const marks = [alice.inbox.length, bob.inbox.length];
    for (let i = 0; i < 8; i++) alice.send({ type: 'typing' });
    await settle(alice, bob);
    const relayed = bob.messages('typing', marks[1]).length;
    const limited = alice.messages('error', marks[0]).filter((m) => m.code === 'rate-limited').length;
    if (relayed !== 5 || limited !== 3) {
      throw new Error(
        `typingLimit defaults to 5 (per typingWindowMs, default 5000 ms). Alice sent 8 typing events at once: Bob should get ` +
          `exactly 5 (got ${relayed}) and Alice 3 "rate-limited" errors (got ${limited}).\n${alice.transcript(6)}`,
      );
    }
  });

  test('the rate limit lets typing through again once the window has passed {R4.28}', async () => {
    const windowMs = 600;
    const port = await start({ typingLimit: 2, typingWindowMs: windowMs });
    const alice = await join(port, 'Alice');
    const bob = await join(port, 'Bob');
    const marks = [alice.inbox.length, bob.inbox.length];
    for (let i = 0; i < 3; i++) alice.send({ type: 'typing' });
    const limited = await alice.next((m) => m.type === 'error', LATE, marks[0]);
    if (limited?.code !== 'rate-limited') throw new Error(`The third typing event within ${windowMs} ms (limit 2) should get an error "rate-limited"; got ${codeOf(limited)}.`);
    await settle(alice, bob);
    expect(bob.messages('typing', marks[1])).toHaveLength(2);
    // Everything the server counted happened before these arrivals: waiting a full window after the latest of them
    // is waiting at least a full window on the server's clock too.
    const latest = Math.max(...bob.inbox.slice(marks[1]).map((r) => r.at), ...alice.inbox.slice(marks[0]).map((r) => r.at));
    await sleep(Math.max(0, latest + windowMs + 30 - performance.now()));
    const mark = bob.inbox.length;
    alice.send({ type: 'typing' });
    await expectReceive(bob, '{"type":"typing","user":"Alice"}', (m) => m.type === 'typing', `More than ${windowMs} ms after the last counted event, typing must be relayed again (the limit is a window, not a ban).`, mark);
  });
});

// =================================================================================================================
// Part 2: the client logic
// =================================================================================================================

interface Render {
  at: number;
  text: string;
}

interface Keystroke {
  /** When the suite asked for it, and when the call returned: the keystroke happened in between. */
  called: number;
  returned: number;
}

interface Rig {
  chat: ChatServer;
  conn: ChatConnection;
  client: Remote;
  renders: Render[];
  keys: Keystroke[];
  /** Resolves when check() holds (re-tested on every render and every wire event), or false after timeoutMs. */
  until(check: () => boolean, timeoutMs: number): Promise<boolean>;
}

describe('typing client', () => {
  let chat: ChatServer | undefined;
  let client: Remote | undefined;

  afterEach(async () => {
    if (client) await client.call('close').catch(() => undefined);
    client = undefined;
    if (chat) await chat.close();
    chat = undefined;
  });

  async function startClient(options: { throttleMs: number; idleMs: number; expiryMs: number; echo?: boolean; user?: string }): Promise<Rig> {
    chat = await ChatServer.start({ echo: options.echo, present: ['Alice', 'Bob', 'Carol'] });
    const server = chat;
    const renders: Render[] = [];
    const waiters = new Set<() => void>();
    const poke = () => {
      for (const w of [...waiters]) w();
    };
    const render = sandbox().callback((text: unknown) => {
      renders.push({ at: server.now(), text: String(text) });
      poke();
    });
    client = await sandbox().construct('TypingClient', {
      url: chat.url,
      room: 'general',
      user: options.user ?? 'Me',
      WebSocket: { $require: 'ws', export: 'WebSocket' },
      render,
      throttleMs: options.throttleMs,
      idleMs: options.idleMs,
      expiryMs: options.expiryMs,
    });
    const joined = chat.nextJoin(3000);
    await client.call('connect');
    const conn = await joined;
    if (!conn) throw new Error('connect() resolved, but the chat server never received a {"type":"join"} message.');
    conn.onChange(poke);
    const rig: Rig = {
      chat,
      conn,
      client,
      renders,
      keys: [],
      until: (check, timeoutMs) => {
        if (check()) return Promise.resolve(true);
        return new Promise((resolve) => {
          const done = (ok: boolean) => {
            clearTimeout(timer);
            waiters.delete(test);
            resolve(ok);
          };
          const test = () => {
            if (check()) done(true);
          };
          const timer = setTimeout(() => done(check()), timeoutMs);
          waiters.add(test);
        });
      },
    };
    return rig;
  }

  async function keystrokes(rig: Rig, count: number, gapMs: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      if (i > 0 && gapMs > 0) await sleep(gapMs);
      const called = rig.chat.now();
      await rig.client.call('keystroke');
      rig.keys.push({ called, returned: rig.chat.now() });
    }
  }

  /** The events as a timeline (ms since the chat server started), with the expectation rows merged in. */
  function explain(rig: Rig, title: string, checks: Array<TimelineRow & { at?: number }>, options: { keystrokeSummary?: boolean } = {}): string {
    const rows: Array<TimelineRow & { at: number }> = [];
    if (options.keystrokeSummary && rig.keys.length) {
      const [first, last] = [rig.keys[0]!.called, rig.keys.at(-1)!.returned];
      rows.push({ at: first, label: `${rig.keys.length} keystrokes (suite → your client)`, expected: '', actual: `${Math.round(first)} … ${formatMs(last)}`, ok: true });
    } else {
      for (const k of rig.keys) rows.push({ at: k.called, label: 'keystroke (suite → your client)', expected: '', actual: formatMs(k.called), ok: true });
    }
    for (const e of rig.conn.log) {
      if (!e.message) continue;
      const m = e.message;
      if (e.dir === 'in') rows.push({ at: e.at, label: `your client sent ${m.type}${m.type === 'message' ? ` "${String(m.text)}"` : ''}`, expected: '', actual: formatMs(e.at), ok: true });
      else if (m.type !== 'joined') {
        const what = m.type === 'presence' ? `${String(m.user)} ${String(m.event)}s` : `${String(m.user)} ${String(m.type)}`;
        rows.push({ at: e.at, label: `server sent: ${what}`, expected: '', actual: formatMs(e.at), ok: true });
      }
    }
    for (const r of rig.renders) rows.push({ at: r.at, label: `render ${JSON.stringify(r.text)}`, expected: '', actual: formatMs(r.at), ok: true });
    for (const c of checks) rows.push({ ...c, at: c.at ?? Number.POSITIVE_INFINITY });
    rows.sort((a, b) => a.at - b.at);
    showEvidence(timelineEvidence(title, rows.map((r) => ({ lane: typingLane(r.label, r.expected), label: r.label, atMs: r.at, ok: r.ok }))));
    // Runs of the same plain event (a keystroke every 15 ms, Bob typing every 50 ms) become one row.
    const runs: Array<Array<TimelineRow & { at: number }>> = [];
    for (const row of rows) {
      const run = runs.at(-1);
      if (run && row.expected === '' && run[0]!.expected === '' && run[0]!.label === row.label) run.push(row);
      else runs.push([row]);
    }
    const shown = runs.flatMap((run) =>
      run.length < 5
        ? run
        : [{ ...run[0]!, label: `${run[0]!.label} ×${run.length}`, actual: `${Math.round(run[0]!.at)} … ${formatMs(run.at(-1)!.at)}` }],
    );
    return `${title}\n${renderTimeline(shown, { title: 'Timeline (ms since the chat server started; ✗ = expected vs actual):', maxRows: 24 })}`;
  }

  function sent(rig: Rig, type: string): number[] {
    return rig.conn.sent(type).map((e) => e.at);
  }

  /** Names shown by an indicator text (for 1 or 2 typers; "Several people" names nobody). */
  function namesIn(text: string): string[] {
    const one = /^(.+) is typing…$/.exec(text);
    if (one) return [one[1]!];
    const two = /^(.+) and (.+) are typing…$/.exec(text);
    if (two) return [two[1]!, two[2]!];
    return [];
  }

  /** The render times at which `user` stopped being shown (each time a text naming them was followed by one that does not). */
  function removals(rig: Rig, user: string): number[] {
    const out: number[] = [];
    let shown = false;
    for (const r of rig.renders) {
      const now = namesIn(r.text).includes(user) || r.text.startsWith('Several');
      if (shown && !now) out.push(r.at);
      shown = now;
    }
    return out;
  }

  function lastText(rig: Rig): string {
    return rig.renders.at(-1)?.text ?? '';
  }

  /** Waits until the indicator is empty again, by a render made no earlier than notBefore. */
  async function waitCleared(rig: Rig, notBefore: number, timeoutMs: number): Promise<void> {
    await rig.until(() => {
      const last = rig.renders.at(-1);
      return last !== undefined && last.text === '' && last.at >= notBefore;
    }, timeoutMs);
  }

  async function waitText(rig: Rig, text: string, timeoutMs = LATE): Promise<number | undefined> {
    const from = rig.renders.length;
    const hit = () => rig.renders.slice(from).find((r) => r.text === text) ?? (lastText(rig) === text ? rig.renders.at(-1) : undefined);
    await rig.until(() => hit() !== undefined, timeoutMs);
    return hit()?.at;
  }

  // ------------------------------------------------------------------ the indicator text

  test('indicatorText: nobody typing shows nothing {R4.11}', async () => {
    expect(await sandbox().invoke('indicatorText', [])).toBe('');
  });

  test('indicatorText: one typer is named, with a real ellipsis (U+2026) {R4.11,R4.12}', async () => {
    const text = await sandbox().invoke('indicatorText', ['Alice']);
    if (text !== 'Alice is typing…') throw new Error(`indicatorText(["Alice"]) should be "Alice is typing…" (one character "…", U+2026); got ${JSON.stringify(text)}.`);
  });

  test('indicatorText: two typers are both named, in the order given {R4.11}', async () => {
    expect(await sandbox().invoke('indicatorText', ['Alice', 'Bob'])).toBe('Alice and Bob are typing…');
    expect(await sandbox().invoke('indicatorText', ['Bob', 'Alice'])).toBe('Bob and Alice are typing…');
  });

  test('indicatorText: three or more typers are summarised {R4.11}', async () => {
    expect(await sandbox().invoke('indicatorText', ['Alice', 'Bob', 'Carol'])).toBe('Several people are typing…');
    expect(await sandbox().invoke('indicatorText', ['A', 'B', 'C', 'D', 'E'])).toBe('Several people are typing…');
  });

  // ------------------------------------------------------------------ sending

  test('connect() opens the socket and joins the room first (RFC 6455 §4.1) {R4.42}', async () => {
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs: 1000, user: 'Dana' });
    const first = rig.conn.log.find((e) => e.dir === 'in');
    expect(first?.message).toEqual({ type: 'join', room: 'general', user: 'Dana' });
  });

  test('connect() resolves only once the joined reply has arrived, not when the socket opens {R4.42}', async () => {
    const joinedDelayMs = 400;
    chat = await ChatServer.start({ joinedDelayMs });
    client = await sandbox().construct('TypingClient', {
      url: chat.url,
      room: 'general',
      user: 'Dana',
      WebSocket: { $require: 'ws', export: 'WebSocket' },
      render: sandbox().callback(() => undefined),
    });
    const joined = chat.nextJoin(3000);
    await client.call('connect');
    const resolvedAt = chat.now();
    const conn = await joined;
    const reply = conn?.log.find((e) => e.dir === 'out' && e.message?.type === 'joined');
    if (!reply) {
      throw new Error(
        `connect() resolved at ${formatMs(resolvedAt)}, before the server's {"type":"joined"} reply (held back ${joinedDelayMs} ms). ` +
          'It must resolve when "joined" arrives: until then the room is not joined and keystrokes are ignored.',
      );
    }
  });

  test('the first keystroke sends typing at once {R4.2}', async () => {
    const rig = await startClient({ throttleMs: 5000, idleMs: 10_000, expiryMs: 5000 });
    await keystrokes(rig, 1, 0);
    const k = rig.keys[0]!;
    await rig.conn.until(() => sent(rig, 'typing').length > 0, LATE);
    const got = sent(rig, 'typing')[0];
    if (got === undefined || got > k.returned + LATE) {
      throw new Error(
        explain(rig, 'The first keystroke of a burst must send {"type":"typing"} immediately (the throttle limits the repeats, never the first event).', [
          { at: got, label: 'typing received by the server', expected: `by ${formatMs(k.returned + LATE)}`, actual: formatMs(got), ok: false },
        ]),
      );
    }
    // And only once: one keystroke, one event.
    await rig.client.call('typingUsers');
    await rig.conn.until(() => false, 50);
    expect(sent(rig, 'typing')).toHaveLength(1);
  });

  test('while typing continues, typing is sent at most once per throttle interval, and keeps being sent {R4.3,R4.40}', async () => {
    const throttleMs = 200;
    const rig = await startClient({ throttleMs, idleMs: 5000, expiryMs: 5000 });
    await keystrokes(rig, 45, 15);
    // A chat message goes down the same socket after every typing event the keystrokes caused: once it has
    // arrived, so have they.
    await rig.client.call('sendMessage', 'done');
    await rig.conn.until(() => sent(rig, 'message').length > 0, LATE * 2);
    const messageAt = sent(rig, 'message')[0] ?? Number.POSITIVE_INFINITY;
    const times = sent(rig, 'typing').filter((at) => at <= messageAt);
    const first = rig.keys[0]!;
    const last = rig.keys.at(-1)!;
    // Upper bound: the keystrokes all happened within [first.called, last.returned].
    const spanMax = last.returned - first.called;
    // (Clocks tick in whole milliseconds, so two sends "throttleMs apart" may be throttleMs - 1 apart in real time.)
    const allowedMax = 1 + Math.floor(spanMax / (throttleMs - 1));
    // Lower bound: they spanned at least last.called - first.returned, with gaps of at most maxGap between them.
    const spanMin = last.called - first.returned;
    let maxGap = 0;
    for (let i = 1; i < rig.keys.length; i++) maxGap = Math.max(maxGap, rig.keys[i]!.returned - rig.keys[i - 1]!.called);
    const neededMin = 1 + Math.floor(spanMin / (throttleMs + 1 + maxGap));
    if (times.length > allowedMax || times.length < neededMin) {
      throw new Error(
        explain(
          rig,
          `45 keystrokes over ${formatMs(spanMin)}–${formatMs(spanMax)} with throttleMs ${throttleMs}: expected between ${neededMin} and ` +
            `${allowedMax} typing events, got ${times.length}. ${times.length > allowedMax ? 'Send typing at most once per throttle interval.' : 'While the user keeps typing, send typing again once the interval has passed, or the others will see it expire.'}`,
          [{ label: 'typing events sent', expected: `${neededMin} … ${allowedMax}`, actual: String(times.length), ok: false, at: last.returned }],
          { keystrokeSummary: true },
        ),
      );
    }
  });

  test('after idleMs without a keystroke, stop-typing is sent once, and not early {R4.6,R4.40}', async () => {
    const idleMs = 250;
    const rig = await startClient({ throttleMs: 1000, idleMs, expiryMs: 5000 });
    await keystrokes(rig, 5, 30);
    const last = rig.keys.at(-1)!;
    await rig.conn.until(() => sent(rig, 'stop-typing').length > 0, idleMs + LATE);
    const stop = sent(rig, 'stop-typing')[0];
    const min = last.called + idleMs - EARLY_TOLERANCE;
    const max = last.returned + idleMs + LATE;
    if (stop === undefined || stop < min || stop > max) {
      throw new Error(
        explain(rig, `stop-typing is due idleMs (${idleMs} ms) after the LAST keystroke, not before it and not never.`, [
          { at: stop ?? max, label: 'stop-typing received', expected: formatWindow(min, max), actual: formatMs(stop), ok: false },
        ]),
      );
    }
    await rig.conn.until(() => false, 100);
    expect(sent(rig, 'stop-typing')).toHaveLength(1);
  });

  test('sending a message sends stop-typing before the message, and no second stop later {R4.7}', async () => {
    // Long enough that the idle timer cannot fire between the keystrokes and sendMessage() on a loaded machine: an
    // idle stop before the message would hide a client that sends its stop after the message (a verdict flip).
    const idleMs = 1500;
    const rig = await startClient({ throttleMs: 1000, idleMs, expiryMs: 5000 });
    await keystrokes(rig, 3, 20);
    await rig.client.call('sendMessage', 'hello there');
    await rig.conn.until(() => sent(rig, 'message').length > 0, LATE);
    const order = rig.conn.sent().map((e) => e.message.type).filter((t) => t !== 'join');
    const messageAt = order.indexOf('message');
    if (messageAt < 0 || order.lastIndexOf('stop-typing', messageAt) < order.lastIndexOf('typing', messageAt)) {
      throw new Error(
        explain(rig, `Sending a message ends the typing burst: send {"type":"stop-typing"} and then the message (got ${order.join(', ')}).`, [
          { label: 'stop-typing, then message', expected: 'stop-typing < message', actual: order.join(' → '), ok: false },
        ]),
      );
    }
    expect(rig.conn.sent('message')[0]!.message).toEqual({ type: 'message', text: 'hello there' });
    // The idle timer of that burst must be gone: wait past it and check nothing else was sent.
    await rig.conn.until(() => false, Math.max(0, rig.keys.at(-1)!.returned + idleMs + 100 - rig.chat.now()));
    const stops = sent(rig, 'stop-typing');
    if (stops.length !== 1) {
      throw new Error(explain(rig, 'After the message, the burst is over: the idle timer must not send a second stop-typing.', [
        { label: 'stop-typing events', expected: '1', actual: String(stops.length), ok: false },
      ]));
    }
  });

  test('a new burst after a stop sends typing at once again {R4.8}', async () => {
    const rig = await startClient({ throttleMs: 5000, idleMs: 150, expiryMs: 5000 });
    await keystrokes(rig, 1, 0);
    await rig.conn.until(() => sent(rig, 'stop-typing').length > 0, 150 + LATE);
    await keystrokes(rig, 1, 0);
    await rig.client.call('sendMessage', 'one');
    await keystrokes(rig, 1, 0);
    await rig.conn.until(() => sent(rig, 'typing').length >= 3, LATE);
    const typing = sent(rig, 'typing');
    if (typing.length !== 3) {
      throw new Error(
        explain(rig, 'Each burst (after an idle stop, or after sending a message) starts with an immediate typing event, even within throttleMs (5000 ms here) of the previous one.', [
          { label: 'typing events', expected: '3 (one per burst)', actual: String(typing.length), ok: false },
        ]),
      );
    }
  });

  // ------------------------------------------------------------------ receiving

  async function play(rig: Rig, steps: ScriptStep[]): Promise<number[]> {
    return rig.conn.runScript(steps);
  }

  test('a remote typer is shown at once and disappears expiryMs after their last typing event, not before {R4.4}', async () => {
    const expiryMs = 400;
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs });
    const [sentAt] = await play(rig, [{ at: 0, user: 'Alice', event: 'typing' }]);
    const shown = await waitText(rig, 'Alice is typing…');
    const gone = await waitText(rig, '', expiryMs + LATE);
    const min = sentAt! + expiryMs - EARLY_TOLERANCE;
    const max = sentAt! + expiryMs + LATE;
    const okShown = shown !== undefined && shown <= sentAt! + LATE;
    const okGone = gone !== undefined && gone >= min && gone <= max;
    if (!okShown || !okGone) {
      throw new Error(
        explain(rig, `Alice typed once; she must show at once and vanish expiryMs (${expiryMs} ms) after that event.`, [
          { at: shown ?? sentAt, label: 'render "Alice is typing…"', expected: `by ${formatMs(sentAt! + LATE)}`, actual: formatMs(shown), ok: okShown },
          { at: gone ?? max, label: 'render "" (Alice expired)', expected: formatWindow(min, max), actual: formatMs(gone), ok: okGone },
        ]),
      );
    }
  });

  test('a remote user who keeps typing stays shown {R4.4}', async () => {
    const expiryMs = 350;
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs });
    const steps: ScriptStep[] = [];
    for (let t = 0; t <= 1500; t += 60) steps.push({ at: t, user: 'Alice', event: 'typing' });
    const times = await play(rig, steps);
    const lastSent = times.at(-1)!;
    await waitCleared(rig, lastSent + expiryMs - EARLY_TOLERANCE, expiryMs + LATE);
    const gone = removals(rig, 'Alice');
    const final = gone.at(-1);
    // A correct client removes Alice only when no typing from her arrived for expiryMs; with one event every 60 ms
    // that happens only after the last one (one slip is forgiven: a machine can stall for longer than expiryMs).
    const early = gone.slice(0, -1);
    // A late timer in this process can also hold back our own events: each such gap forgives one more slip.
    const stalls = times.slice(1).filter((at, i) => at - times[i]! > expiryMs / 2).length;
    const okFinal = final !== undefined && final >= lastSent + expiryMs - EARLY_TOLERANCE;
    if (early.length > 1 + stalls || !okFinal) {
      throw new Error(
        explain(rig, `Alice sent typing every 60 ms for 1.5 s (expiryMs ${expiryMs}): each event must restart HER expiry, so she stays shown until ${expiryMs} ms after the last one.`, [
          ...early.map((at) => ({ at, label: 'Alice removed while still typing', expected: 'never', actual: formatMs(at), ok: false })),
          { at: final ?? lastSent, label: 'Alice finally removed', expected: `≥ ${formatMs(lastSent + expiryMs)}`, actual: formatMs(final), ok: okFinal },
        ]),
      );
    }
  });

  test('each remote typer has their own expiry timer {R4.9}', async () => {
    const expiryMs = 300;
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs });
    const steps: ScriptStep[] = [{ at: 0, user: 'Alice', event: 'typing' }];
    for (let t = 40; t <= 1700; t += 50) steps.push({ at: t, user: 'Bob', event: 'typing' });
    const times = await play(rig, steps);
    const aliceAt = times[0]!;
    const bobLast = times.at(-1)!;
    await waitCleared(rig, bobLast + expiryMs - EARLY_TOLERANCE, expiryMs + LATE);
    const aliceGone = removals(rig, 'Alice').at(-1);
    const bobGone = removals(rig, 'Bob').at(-1);
    const aMin = aliceAt + expiryMs - EARLY_TOLERANCE;
    const aMax = aliceAt + expiryMs + 1100;
    const okAlice = aliceGone !== undefined && aliceGone >= aMin && aliceGone <= aMax;
    const okBob = bobGone !== undefined && bobGone >= bobLast + expiryMs - EARLY_TOLERANCE;
    if (!okAlice || !okBob) {
      throw new Error(
        explain(rig, 'Alice typed once; Bob kept typing. Alice must expire on her own schedule while Bob stays: one timer shared by everyone keeps (or drops) them together.', [
          { at: aliceGone ?? aMax, label: 'Alice removed', expected: formatWindow(aMin, aMax), actual: formatMs(aliceGone), ok: okAlice },
          { at: bobGone ?? bobLast, label: 'Bob removed', expected: `≥ ${formatMs(bobLast + expiryMs)}`, actual: formatMs(bobGone), ok: okBob },
        ]),
      );
    }
  });

  test('two typers are shown in the order they started, and keep their places {R4.13}', async () => {
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs: 5000 });
    rig.conn.play('Bob', 'typing');
    rig.conn.play('Alice', 'typing');
    rig.conn.play('Bob', 'typing');
    rig.conn.play('Alice', 'typing');
    rig.conn.play('Carol', 'stop-typing');
    const seen = await waitText(rig, 'Bob and Alice are typing…');
    await rig.until(() => false, 100);
    const texts = rig.renders.map((r) => r.text);
    const users = await rig.client.call('typingUsers');
    if (seen === undefined || texts.includes('Alice and Bob are typing…') || JSON.stringify(users) !== '["Bob","Alice"]') {
      throw new Error(
        explain(rig, `Bob started first, so the text is "Bob and Alice are typing…" and typingUsers() is ["Bob","Alice"] (got ${JSON.stringify(users)}); repeated typing events must not reorder them.`, []),
      );
    }
  });

  test('three typers show "Several people are typing…", and the names return when one stops {R4.11}', async () => {
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs: 5000 });
    rig.conn.play('Alice', 'typing');
    rig.conn.play('Bob', 'typing');
    rig.conn.play('Carol', 'typing');
    const several = await waitText(rig, 'Several people are typing…');
    rig.conn.play('Alice', 'stop-typing');
    const two = await waitText(rig, 'Bob and Carol are typing…');
    if (several === undefined || two === undefined) {
      throw new Error(explain(rig, 'Expected "Several people are typing…" for three typers, then "Bob and Carol are typing…" once Alice stopped.', []));
    }
  });

  test.each([
    ['their chat message arrives', 'message'],
    ['they send stop-typing', 'stop-typing'],
    ['they leave the room', 'leave'],
  ] as const)('a remote typer disappears at once when %s {R4.14}', async (_what, event) => {
    const expiryMs = 5000;
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs });
    rig.conn.play('Alice', 'typing');
    rig.conn.play('Bob', 'typing');
    await waitText(rig, 'Alice and Bob are typing…');
    const at = rig.conn.play('Alice', event);
    const gone = await waitText(rig, 'Bob is typing…');
    if (gone === undefined || gone > at + LATE) {
      throw new Error(
        explain(rig, `When Alice's ${event} arrives she must disappear right away (not after expiryMs ${expiryMs} ms), and Bob stays.`, [
          { at: gone ?? at + LATE, label: 'render "Bob is typing…"', expected: `by ${formatMs(at + LATE)}`, actual: formatMs(gone), ok: false },
        ]),
      );
    }
  });

  test('the client ignores its own events echoed back by the server {R4.16}', async () => {
    const rig = await startClient({ throttleMs: 1000, idleMs: 5000, expiryMs: 5000, echo: true, user: 'Me' });
    await keystrokes(rig, 3, 10);
    await rig.conn.until(() => rig.conn.log.some((e) => e.dir === 'out' && e.message?.type === 'typing'), LATE);
    rig.conn.play('Me', 'typing');
    rig.conn.play('Alice', 'typing');
    const shown = await waitText(rig, 'Alice is typing…');
    const mine = rig.renders.find((r) => namesIn(r.text).includes('Me'));
    if (shown === undefined || mine) {
      throw new Error(
        explain(rig, 'Events naming the local user (here "Me") are echoes of our own typing: never show "Me is typing…" to Me. Alice alone should read "Alice is typing…".', []),
      );
    }
  });

  test('a lost connection clears the indicator at once (RFC 6455 §7.1.5) {R4.15}', async () => {
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs: 5000 });
    rig.conn.play('Alice', 'typing');
    rig.conn.play('Bob', 'typing');
    await waitText(rig, 'Alice and Bob are typing…');
    const at = rig.conn.drop();
    const cleared = await waitText(rig, '');
    const users = await rig.client.call('typingUsers');
    if (cleared === undefined || cleared > at + LATE || (Array.isArray(users) && users.length > 0)) {
      throw new Error(
        explain(rig, `The connection dropped: no typing events can arrive any more, so nobody may be shown as typing (typingUsers() gave ${JSON.stringify(users)}).`, [
          { at: cleared ?? at + LATE, label: 'render ""', expected: `by ${formatMs(at + LATE)}`, actual: formatMs(cleared), ok: false },
        ]),
      );
    }
  });

  test('keystrokes before connect() is done are not an error and send nothing {R4.37}', async () => {
    chat = await ChatServer.start({});
    client = await sandbox().construct('TypingClient', {
      url: chat.url,
      room: 'general',
      user: 'Me',
      WebSocket: { $require: 'ws', export: 'WebSocket' },
      render: sandbox().callback(() => undefined),
    });
    await client.call('keystroke');
    const users = await client.call('typingUsers');
    expect(users).toEqual([]);
  });

  test('keystrokes after the socket opened but before "joined" arrived send nothing; typing starts only once joined {R4.37}', async () => {
    chat = await ChatServer.start({ holdJoined: true });
    client = await sandbox().construct('TypingClient', {
      url: chat.url,
      room: 'general',
      user: 'Me',
      WebSocket: { $require: 'ws', export: 'WebSocket' },
      render: sandbox().callback(() => undefined),
      throttleMs: 1000,
      idleMs: 60_000,
      expiryMs: 5000,
    });
    const joining = chat.nextJoin(3000);
    const connecting = client.call('connect');
    const conn = await joining;
    if (!conn) throw new Error('the chat server never received a {"type":"join"} message after connect()');
    // The socket is open and the join sent; "joined" is held back, so these keystrokes come before it.
    for (let i = 0; i < 3; i++) await client.call('keystroke');
    conn.releaseJoined();
    await connecting;
    // One message after joined: the socket keeps order, so anything sent for the early keystrokes arrives before it.
    await client.call('sendMessage', 'hello');
    await conn.until(() => conn.sent('message').length > 0, 3000);
    const types = conn.sent().map((e) => String(e.message.type));
    if (types.join(',') !== 'join,message') {
      throw new Error(
        'keystroke() is ignored until the server has confirmed the join with "joined": three keystrokes came while the socket was ' +
          `open but before "joined", then sendMessage("hello") after it. The server expected to receive join, message; it received ${types.join(', ')}.`,
      );
    }
  });

  test('the client opens its socket with the WebSocket constructor it was given, not one it imports {R4.39}', async () => {
    chat = await ChatServer.start({});
    // ws's WebSocket, handed over as a subclass that adds a header to the upgrade request: a connection without
    // the header was opened by some other constructor.
    const marker = 'given';
    client = await sandbox().construct('TypingClient', {
      url: chat.url,
      room: 'general',
      user: 'Me',
      WebSocket: { $require: 'ws', export: 'WebSocket', appendArgs: [{ headers: { 'x-course-socket': marker } }] },
      render: sandbox().callback(() => undefined),
    });
    const joining = chat.nextJoin(3000);
    await client.call('connect');
    const conn = await joining;
    const header = conn?.upgradeHeaders['x-course-socket'];
    if (header !== marker) {
      throw new Error(
        'options.WebSocket is the constructor to use (in a browser it is the browser\'s own): the one given here adds the header ' +
          `"X-Course-Socket: ${marker}" to the upgrade request, and the connection that joined carried ${header === undefined ? 'no such header' : JSON.stringify(header)}. ` +
          "Create the socket with new options.WebSocket(url); don't import a WebSocket in the client part.",
      );
    }
  });

  // Delays beyond what one setTimeout can wait: Node runs a timer whose delay is above 2^31 − 1 ms (about
  // 24.8 days), or Infinity, after 1 ms. An application may well pass Infinity to mean "never".
  test.each([
    ['2^31 ms', 2 ** 31],
    ['Infinity', Infinity],
  ] as const)('idleMs %s: a keystroke is not followed by stop-typing 1 ms later (timer limit 2^31 − 1 ms) {R4.38}', async (_label, idleMs) => {
    const rig = await startClient({ throttleMs: 1000, idleMs, expiryMs: 5000 });
    await keystrokes(rig, 1, 0);
    await rig.conn.until(() => sent(rig, 'typing').length > 0, LATE);
    // The bug sends stop-typing within a few ms; a correct client not for 24 days.
    await rig.conn.until(() => sent(rig, 'stop-typing').length > 0, 600);
    const stops = sent(rig, 'stop-typing');
    if (sent(rig, 'typing').length !== 1 || stops.length !== 0) {
      throw new Error(
        explain(
          rig,
          `idleMs is ${String(idleMs)}: after one keystroke the client sends typing, then stop-typing only after that long. setTimeout cannot wait ` +
            'longer than 2^31 − 1 ms: a larger delay, or Infinity, fires after 1 ms. Wait in steps of at most 2^31 − 1 ms (each timer arms the next).',
          [{ at: stops[0], label: 'stop-typing events within 600 ms', expected: '0', actual: String(stops.length), ok: false }],
        ),
      );
    }
  });

  test.each([
    ['2^31 ms', 2 ** 31],
    ['Infinity', Infinity],
  ] as const)('expiryMs %s: a remote typer is not dropped 1 ms after their typing event (timer limit 2^31 − 1 ms) {R4.38}', async (_label, expiryMs) => {
    const rig = await startClient({ throttleMs: 1000, idleMs: 1000, expiryMs });
    const [sentAt] = await play(rig, [{ at: 0, user: 'Alice', event: 'typing' }]);
    const shown = await waitText(rig, 'Alice is typing…');
    const gone = await waitText(rig, '', 600);
    if (shown === undefined || gone !== undefined) {
      throw new Error(
        explain(
          rig,
          `expiryMs is ${String(expiryMs)}: Alice typed once and must stay shown that long. setTimeout cannot wait longer than 2^31 − 1 ms: a larger ` +
            'delay, or Infinity, fires after 1 ms. Wait in steps of at most 2^31 − 1 ms (each timer arms the next).',
          [{ at: gone ?? sentAt, label: 'render "" (Alice dropped)', expected: 'not within 600 ms', actual: formatMs(gone), ok: false }],
        ),
      );
    }
  });
});
