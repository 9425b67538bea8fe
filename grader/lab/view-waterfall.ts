// What the waterfall demo (HTTP/1.1 vs HTTP/2, exercise 11) sends the page: the settings of the run, and per lane
// (HTTP/1.1 over at most six connections, HTTP/2 over one) every request's measured times and the connection it
// went on, with the segments the relay "lost". Plain JSON, types only: the page's bundle imports them.

/** What the page asks for: N resources of a size, through a relay with a one-way latency and a loss rate. */
export interface WaterfallSettings {
  resources: number;
  /** Body size in octets (the built-in server pads its bodies to it; exercise 11's server answers "resource N"). */
  size: number;
  /** Added by the relay to every chunk, each way (so a round trip costs twice this). */
  latencyMs: number;
  /** The chance that a chunk is "lost" and arrives one retransmission timeout late, holding back what follows it. */
  lossPercent: number;
  /** Seeds the relay's loss draws: the same seed loses the same chunks of the same byte streams. */
  seed: number;
}

/** One request, times in ms from the start of its lane (the first connection attempt). */
export interface WaterfallRequest {
  path: string;
  /** 1-based, in the order the relay accepted the connections of this lane. */
  connection: number;
  /** The request left the client (written to its connection; HTTP/1.1 requests wait for a free connection first). */
  sentAt: number;
  /** The response's header arrived. */
  firstByteAt: number;
  /** The response's last body octet arrived. */
  lastByteAt: number;
  status: number;
  bytes: number;
}

/** A chunk the relay held back as a lost-and-retransmitted segment would be. */
export interface WaterfallStall {
  connection: number;
  direction: 'to-server' | 'to-client';
  /** When the chunk reached the relay, and how much later than its latency it was let through. */
  atMs: number;
  delayMs: number;
}

export interface WaterfallLane {
  protocol: 'http/1.1' | 'h2';
  /** Distinct connections the requests went on (measured: the relay's connection of each response's socket). */
  connections: number;
  /** From the first connection attempt to the last octet of the last response. */
  totalMs: number;
  requests: WaterfallRequest[];
  stalls: WaterfallStall[];
  /** The connections the server itself counted for this lane (the learner's AlpnServer.connections()). */
  serverCounted?: number;
}

export interface WaterfallResult {
  /** 'learner': exercise 11's AlpnServer served both lanes; 'fallback': the built-in node:http + node:http2 pair. */
  source: 'learner' | 'fallback';
  fallbackReason?: string;
  /** Which server answered, in words (TLS + ALPN, or cleartext). */
  server: string;
  settings: WaterfallSettings;
  /** Whether the bodies were padded to settings.size (only the built-in server can). */
  sizeApplied: boolean;
  /** The retransmission timeout the relay used for a "lost" chunk. */
  rtoMs: number;
  lanes: WaterfallLane[];
}
