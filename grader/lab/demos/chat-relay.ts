// The chat server's public port in the chat room demo: a TCP relay on 127.0.0.1 in front of the room server (the
// learner's RoomServer in the sandbox host, or the built-in peer). "Stop server" closes the port and resets every
// connection through it, as a crashed server does (the clients see 1006, then refused connections); "Start server"
// opens the same port again. The room server behind it is never touched, so whatever the learner's close() does
// (a clean 1000 would tell a reconnecting client not to retry) the demo shows a real outage.

import net from 'node:net';

export class StoppableRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;

  constructor(
    /** The room server's own port (changed when the demo falls back to the built-in peer). */
    public target: number,
  ) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Opens the port (a free one the first time, the same one after a stop). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** Closes the port and resets every connection through it. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        // One side gone: the other follows (a half-open relay would keep a member "online").
        (socket === client ? upstream : client).destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
