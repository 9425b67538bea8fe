// A fault-injecting TCP proxy for the long-polling suite. It sits between HTTP clients and a server (the learner's
// UpdateServer, or the trusted mock) and, per connection, on a seeded schedule: passes bytes through, delays the
// server's bytes, or drops the connection the moment the server starts to answer (the server believes it
// delivered; the client never sees it: the case a cursor exists for). restart() closes the port and every
// connection and opens it again later, like a load balancer being redeployed.

import net from 'node:net';

export type ProxyAction =
  | { kind: 'pass' }
  /** Hold back each chunk from the server for this long. */
  | { kind: 'delay'; ms: number }
  /** Destroy both sides when the first bytes of an answer arrive from the server (they are never forwarded). */
  | { kind: 'drop-answer' };

export interface ProxyStats {
  connections: number;
  dropped: number;
  delayed: number;
  restarts: number;
}

export class FaultProxy {
  readonly stats: ProxyStats = { connections: 0, dropped: 0, delayed: 0, restarts: 0 };
  private server: net.Server;
  private port = 0;
  private readonly sockets = new Set<net.Socket>();
  private closed = false;
  private down = false;

  private constructor(
    private readonly targetPort: number,
    private readonly plan: (connection: number) => ProxyAction,
  ) {
    this.server = this.create();
  }

  static async start(targetPort: number, plan: (connection: number) => ProxyAction): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort, plan);
    await proxy.listenOn(0);
    return proxy;
  }

  get listenPort(): number {
    return this.port;
  }

  /** Closes the port and every connection; opens the same port again after downMs. */
  async restart(downMs: number): Promise<void> {
    this.stats.restarts++;
    this.down = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    await new Promise((r) => setTimeout(r, downMs));
    if (this.closed) return;
    this.server = this.create();
    await this.listenOn(this.port);
    this.down = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    if (this.down) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private create(): net.Server {
    return net.createServer((client) => this.onConnection(client));
  }

  private listenOn(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private onConnection(client: net.Socket): void {
    const action = this.plan(this.stats.connections++);
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const lag = action.kind === 'delay' ? action.ms : 0;
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => {
        this.sockets.delete(s);
        upstream.destroy();
        // What the server sent before it closed still reaches the client, late when the connection is delayed.
        if (s === upstream && lag > 0) setTimeout(() => client.destroy(), lag + 5);
        else client.destroy();
      });
      s.on('error', () => undefined);
    }
    client.on('data', (chunk) => upstream.write(chunk));
    let timers = 0;
    upstream.on('data', (chunk) => {
      if (action.kind === 'drop-answer') {
        this.stats.dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      if (action.kind === 'delay') {
        if (timers++ === 0) this.stats.delayed++;
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
        }, action.ms);
        return;
      }
      client.write(chunk);
    });
  }
}
