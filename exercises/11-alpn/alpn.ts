// Exercise 11: ALPN, one TLS port serving HTTP/2 and HTTP/1.1 (RFC 7301, RFC 9113 §3.2). Read README.md first.
// Replace every `throw new Error('not implemented')` with your code. Keep the exported names and signatures: the
// grader calls them. Check your work with `npx course check alpn`.

/** The protocols this exercise speaks, in the server's order of preference (and the client's default offer). */
export const SUPPORTED_PROTOCOLS: readonly string[] = ['h2', 'http/1.1'];

export type HttpProtocol = 'h2' | 'http/1.1';

/**
 * The server's ALPN choice: the first protocol of `supported` (the server's preference order) that the client
 * offered, compared octet for octet; undefined when there is no overlap (the server then refuses the handshake).
 */
export function selectProtocol(offered: readonly string[], supported: readonly string[] = SUPPORTED_PROTOCOLS): string | undefined {
  throw new Error('not implemented');
}

// =================================================================================================================
// The server
// =================================================================================================================

export interface AlpnServerOptions {
  /** The server's private key and certificate chain, PEM. */
  key: string;
  cert: string;
  /** Where to listen (default 127.0.0.1, port 0 = any free port). */
  host?: string;
  port?: number;
  /** How long GET /resource/<n> waits before it answers (default 0 ms): a stand-in for a slow backend. */
  delayMs?: number;
}

/** One accepted connection: the protocol it speaks and how many requests it carried so far. */
export interface ConnectionRecord {
  protocol: HttpProtocol;
  requests: number;
}

export class AlpnServer {
  constructor(options: AlpnServerOptions) {
    throw new Error('not implemented');
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    throw new Error('not implemented');
  }

  /** Every connection accepted so far (handshake finished), in order, with its protocol and its number of requests. */
  connections(): ConnectionRecord[] {
    throw new Error('not implemented');
  }

  /** Stops listening and ends every open connection of both protocols; resolves when the server is closed. */
  close(): Promise<void> {
    throw new Error('not implemented');
  }
}

// =================================================================================================================
// The client
// =================================================================================================================

export type AlpnErrorCode = 'ALPN_REFUSED' | 'ALPN_NOT_OFFERED' | 'ALPN_UNSUPPORTED';

/** The client's typed failure: what it offered and what the server chose (null: nothing, or the alert). Given. */
export class AlpnError extends Error {
  readonly code: AlpnErrorCode;
  readonly offered: string[];
  readonly chosen: string | null;

  constructor(code: AlpnErrorCode, offered: readonly string[], chosen: string | null, message: string) {
    super(message);
    this.name = 'AlpnError';
    this.code = code;
    this.offered = [...offered];
    this.chosen = chosen;
  }
}

/**
 * What the client speaks after the handshake, given what it offered and the TLS socket's alpnProtocol (false or
 * null when the server sent no ALPN). Throws AlpnError ALPN_NOT_OFFERED or ALPN_UNSUPPORTED (see README.md).
 */
export function acceptNegotiated(offered: readonly string[], negotiated: string | false | null): HttpProtocol {
  throw new Error('not implemented');
}

export interface AlpnRequestOptions {
  host: string;
  port: number;
  path: string;
  /** The CA certificate (PEM) the server's certificate must chain to. */
  ca: string;
  /** The name the certificate must be valid for (default: host, unless host is an IP address). */
  servername?: string;
  /** The ALPN offer, in the client's order of preference (default SUPPORTED_PROTOCOLS: h2, then http/1.1). */
  protocols?: string[];
  /** The most the whole request may take (default 10000 ms). */
  timeoutMs?: number;
}

export interface AlpnResponse {
  protocol: HttpProtocol;
  status: number;
  /** Response header fields, names in lower case (HTTP/2 pseudo-headers left out). */
  headers: Record<string, string>;
  body: string;
}

/** One GET over a fresh TLS connection, in whichever protocol the handshake chose. */
export async function alpnRequest(options: AlpnRequestOptions): Promise<AlpnResponse> {
  throw new Error('not implemented');
}
