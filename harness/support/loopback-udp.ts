// A UDP socket bound to a free port on 127.0.0.1, for the QUIC-shaped exercise's peers and relays (the suite's,
// and the lab's parking lot). Errors after binding are ignored: a datagram socket's only later errors are ICMP
// reports of a closed port, which loopback peers cause whenever one side closes first.

import dgram from 'node:dgram';

export function bindLoopbackUdp(): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}
