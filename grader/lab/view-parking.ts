// What the parking-lot demo (exercise 9) sends the page: one snapshot of a run, published as a named lab event
// while it runs. Both lanes are measured by the lab on the wire (its relays), never taken from the code under test:
// bytes of the file the client holds, the TCP connections the server accepted, the QUIC connection IDs seen in
// the packets and the paths the relay saw validated. Plain JSON; the page puts every text in the DOM as text.

/** The lab's Server-Sent Events name for the parking lot's snapshots. */
export const PARKING_EVENT = 'parking';

/** After a switch over TCP: ask for the whole file again (what a plain client does) or for the rest of it (Range). */
export type TcpRecovery = 'restart' | 'range';

export interface ParkingLane {
  /** Bytes of the file the client holds right now, in order from byte 0. */
  fileBytes: number;
  /** Every byte of the file arrived (and matched the file served). */
  done: boolean;
  /** Milliseconds from the start of the run to the end of this download. */
  doneAtMs?: number;
  /** A sentence when the download stopped without completing. */
  failed?: string;
}

export interface ParkingTcpConnection {
  /** The client's local port (a new port = a new connection: TCP is its 4-tuple). */
  clientPort: number;
  /** Bytes of the response body received on this connection. */
  bytes: number;
  /** The byte of the file this connection's response started at (0, or the Range asked for). */
  firstByte: number;
  state: 'open' | 'broken' | 'complete';
}

export interface ParkingTcpView extends ParkingLane {
  recovery: TcpRecovery;
  /** Every connection the server accepted, in order. */
  connections: ParkingTcpConnection[];
  /** Body bytes received over all connections (more than the file when a restart threw bytes away). */
  receivedTotal: number;
}

export interface ParkingQuicPath {
  /** The client's port on this path. */
  clientPort: number;
  /** The port the server sees (the relay's NAT gives every client address one). */
  serverSeesPort: number;
  /** PATH_CHALLENGE frames the server sent to this path. */
  challenges: number;
  /** A PATH_RESPONSE echoed one of them (the first path: validated by the handshake). */
  validated: boolean;
}

export interface ParkingQuicView extends ParkingLane {
  /** 'learner': your QuicServer and QuicClient in the sandbox host; 'fallback': the lab's built-in peer. */
  source: 'learner' | 'fallback';
  fallbackReason?: string;
  /** The server's connection ID (hex): the DCID of every 1-RTT packet the client sent. */
  serverCid?: string;
  /** The client's connection ID (hex): the DCID of every 1-RTT packet the server sent. */
  clientCid?: string;
  /** Distinct DCIDs in the client's 1-RTT packets (1 = the connection never changed its ID). */
  dcidsSeen: string[];
  paths: ParkingQuicPath[];
  /** The stream offset of the first STREAM frame on the newest path after a switch: where the download went on. */
  resumedAt?: number;
}

export interface ParkingEvent {
  /** Milliseconds since the run started. */
  atMs: number;
  lane: 'tcp' | 'quic' | 'both';
  kind: 'start' | 'connection' | 'switch' | 'broken' | 'new-path' | 'challenge' | 'validated' | 'resumed' | 'complete' | 'failed' | 'note';
  text: string;
}

export interface ParkingView {
  run: number;
  state: 'starting' | 'running' | 'done';
  /** The file's size in bytes. */
  size: number;
  /** The link speed both relays pace the server's bytes to, bytes per second. */
  rate: number;
  elapsedMs: number;
  /** When Switch network was pressed (ms since the start), if it was. */
  switchedAtMs?: number;
  tcp: ParkingTcpView;
  quic: ParkingQuicView;
  timeline: ParkingEvent[];
}
