// Instructor-only suite of exercise 11, alpn: generated property tests of the server's choice (RFC 7301 §3.2).
// Random ALPN offers (the real names, their capitalised twins, other registered and made-up names, in any order)
// go to selectProtocol with random server preference lists, and to the learner's running AlpnServer in real
// ClientHellos from node:tls: the choice, or the no_application_protocol alert, and the connection record must be
// what the server's own preference order gives. A failing offer is shrunk and shown with its case seed.

import tls from 'node:tls';
import type { Remote } from '../sandbox/client';
import { checkProperty, pick, shrinkList } from '../support/property';
import { useSandbox } from '../support/sandbox';
import { makeThrowawayCa, opensslAvailable, type ThrowawayCa } from '../support/throwaway-ca';
import { toolDescribe } from '../support/peer-tools';

const sandbox = useSandbox({ callTimeoutMs: 5000 });

const NAMES = ['h2', 'http/1.1', 'H2', 'HTTP/1.1', 'h2c', 'h3', 'http/1.0', 'spdy/3.1', 'acme-tls/1', 'h2 ', 'http/1.1\u0000'];

function randomName(random: () => number): string {
  if (random() < 0.75) return pick(random, NAMES);
  const length = 1 + Math.floor(random() * 12);
  return Array.from({ length }, () => String.fromCharCode(0x21 + Math.floor(random() * 94))).join('');
}

function randomList(random: () => number, min: number, max: number): string[] {
  const length = min + Math.floor(random() * (max - min + 1));
  return [...new Set(Array.from({ length }, () => randomName(random)))];
}

/** The model: the server's first supported protocol that the client offered, compared exactly. */
const model = (offered: string[], supported: string[]): string | undefined => supported.find((p) => offered.includes(p));

const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));

interface Choice {
  offered: string[];
  supported: string[];
}

test('selectProtocol on random offers and random preference lists follows the server order, exactly (RFC 7301 §3.2) {R11.1,R11.2,R11.3}', async () => {
  await checkProperty<Choice>({
    name: "selectProtocol's choice on random offers",
    runs: 150,
    generate: (random) => ({
      offered: randomList(random, 0, 6),
      supported: random() < 0.4 ? ['h2', 'http/1.1'] : randomList(random, 1, 4),
    }),
    shrink: (c) => [
      ...shrinkList(c.offered).map((offered) => ({ ...c, offered })),
      ...shrinkList(c.supported, () => [], 1).map((supported) => ({ ...c, supported })),
    ],
    show: (c) => `offered ${show(c.offered)}, supported ${show(c.supported)}`,
    check: async (c) => {
      const got = await sandbox().invoke('selectProtocol', c.offered, c.supported);
      const expected = model(c.offered, c.supported);
      if (got !== expected) {
        throw new Error(
          `selectProtocol(${show(c.offered)}, ${show(c.supported)}) returned ${show(got)}; expected ${show(expected)} (the first of the server's list that the client offered, names compared octet for octet; none: undefined)`,
        );
      }
    },
  });
}, 60_000);

const haveOpenssl = opensslAvailable();

toolDescribe(haveOpenssl, 'openssl (to make the throwaway CA: apt-get install -y openssl)', '{R11.1,R11.3,R11.5}')('the running server', () => {
  let ca: ThrowawayCa;
  let server: Remote | undefined;
  beforeAll(() => {
    ca = makeThrowawayCa('course hidden');
  });
  afterAll(() => ca?.dispose());
  afterEach(async () => {
    await server?.callWithin(3000, 'close').catch(() => undefined);
    server = undefined;
  });

  /** One real handshake with `offered`: the protocol chosen, or 'alert 120'. */
  function handshake(port: number, offered: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.caCert, ALPNProtocols: offered });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`the handshake with ALPN ${show(offered)} did not finish within 5 s`));
      }, 5000);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        const chosen = socket.alpnProtocol;
        socket.end();
        resolve(chosen === false || chosen === null ? 'no ALPN' : chosen);
      });
      socket.once('error', (err: Error & { code?: string }) => {
        clearTimeout(timer);
        socket.destroy();
        if (err.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') resolve('alert 120');
        else reject(err);
      });
    });
  }

  test('real ClientHellos with random ALPN lists: the choice or alert 120, and one record per accepted connection (RFC 7301 §3.2, RFC 9113 §3.2) {R11.1,R11.3,R11.5}', async () => {
    server = await sandbox().construct('AlpnServer', { key: ca.key, cert: ca.cert, host: '127.0.0.1', port: 0 });
    const port = (await server.call('listen')) as number;
    const live = server;
    const records = async () => (await live.call('connections')) as Array<{ protocol: string; requests: number }>;
    await checkProperty<string[]>({
      name: 'the running server on random offers',
      runs: 60,
      generate: (random) => randomList(random, 1, 6),
      shrink: (offered) => shrinkList(offered, () => [], 1),
      show: (offered) => `ClientHello ALPN ${show(offered)}`,
      check: async (offered) => {
        const expected = model(offered, ['h2', 'http/1.1']) ?? 'alert 120';
        const before = (await records()).length;
        const got = await handshake(port, offered);
        if (got !== expected) {
          throw new Error(`ClientHello ALPN ${show(offered)}: the server answered ${got}; expected ${expected} (its own order: h2, then http/1.1; no overlap: alert 120)`);
        }
        // In TLS 1.3 the client is done one flight before the server: wait (bounded) for the server to record it.
        let after = await records();
        for (let i = 0; got !== 'alert 120' && after.length === before && i < 40; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          after = await records();
        }
        const added = after.slice(before);
        const wanted = got === 'alert 120' ? [] : [{ protocol: got, requests: 0 }];
        if (show(added) !== show(wanted)) {
          throw new Error(
            `ClientHello ALPN ${show(offered)}, answered ${got}, no request sent: connections() gained ${show(added)}; expected ${show(wanted)} (one record per accepted connection; a refused handshake is no connection)`,
          );
        }
      },
    });
  }, 60_000);
});
