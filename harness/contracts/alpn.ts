// The public API of exercise alpn, as the lesson states it. Type-checked together with the learner's file: an
// error here means the learner's exports do not match the lesson.

import {
  acceptNegotiated,
  AlpnError,
  alpnRequest,
  AlpnServer,
  selectProtocol,
  SUPPORTED_PROTOCOLS,
  type AlpnErrorCode,
  type AlpnRequestOptions,
  type AlpnResponse,
  type AlpnServerOptions,
  type ConnectionRecord,
  type HttpProtocol,
} from '@exercise';

const supported: readonly string[] = SUPPORTED_PROTOCOLS;
const chosen: string | undefined = selectProtocol(['http/1.1', 'h2'], supported);
const fallback: string | undefined = selectProtocol(['http/1.1']);
const spoken: HttpProtocol = acceptNegotiated(['h2', 'http/1.1'], false);
const alsoSpoken: HttpProtocol = acceptNegotiated(['h2'], null);

const serverOptions: AlpnServerOptions = { key: '', cert: '', host: '127.0.0.1', port: 0, delayMs: 0 };
const server: AlpnServer = new AlpnServer(serverOptions);
const port: Promise<number> = server.listen();
const records: ConnectionRecord[] = server.connections();
const closed: Promise<void> = server.close();

const requestOptions: AlpnRequestOptions = { host: '127.0.0.1', port: 443, path: '/', ca: '', servername: 'localhost', protocols: ['h2'], timeoutMs: 1000 };
const response: Promise<AlpnResponse> = alpnRequest(requestOptions);
void response.then((r) => [r.protocol, r.status, r.headers['content-type'], r.body.length]);

const error = new AlpnError('ALPN_REFUSED', ['h2'], null, 'refused');
const code: AlpnErrorCode = error.code;
const offered: string[] = error.offered;
const what: string | null = error.chosen;

export { chosen, fallback, spoken, alsoSpoken, port, records, closed, code, offered, what };
