// The h2-flow-control reference against nghttp2 both ways (scripts/interop-nghttp2.js): its server serving the
// nghttp client with windows from 1 octet to 1 MiB, a 300 KB POST into a 16-octet window, 30 concurrent streams
// and trailers; its client fetching from nghttpd with small windows and concurrency limits. nghttp2 fails a
// connection on the flow-control violations it sees, so every check passing means the two interoperate. Needs
// nghttp and nghttpd (Debian: nghttp2-client, nghttp2-server; .ci/run installs them).

import path from 'node:path';
import { toolPresent } from '../helpers';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
const interop = require(path.join(__dirname, '..', '..', 'scripts', 'interop-nghttp2.js')) as {
  available(): boolean;
  run(o: { log?: (line: string) => void }): Promise<Check[]>;
};

const haveNghttp2 = interop.available();
const maybe = toolPresent(haveNghttp2, 'nghttp and nghttpd, for the nghttp2 interop (apt install nghttp2-client nghttp2-server)') ? test : test.skip;

maybe(
  'the h2-flow-control reference interoperates with nghttp and nghttpd, both ways',
  async () => {
    const checks = await interop.run({});
    const failed = checks.filter((c) => !c.ok);
    expect(failed.map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
    expect(checks.length).toBeGreaterThanOrEqual(20);
  },
  600_000,
);
