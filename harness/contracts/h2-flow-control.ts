// The public API of exercise 08 (h2-flow-control), type-checked together with the learner's file: a mismatch here
// is reported as "your exports do not match the API the lesson asks for".
import {
  H2Client,
  H2Error,
  H2Server,
  StreamTable,
  type PeerSettings,
  type ProtocolError,
  type RequestSpec,
  type ResponseResult,
  type StreamFailure,
  type StreamState,
  type StreamTableOptions,
} from '@exercise';

const options: StreamTableOptions = { role: 'client', initialWindowSize: 1000, maxConcurrentStreams: 10, enablePush: false };
const table: StreamTable = new StreamTable(options);
const state: StreamState = table.state(1);
const sendWindow: number = table.sendWindow(0);
const receiveWindow: number = table.receiveWindow(1);
const peer: PeerSettings = table.peerSettings();
const away: { lastStreamId: number; errorCode: number } | null = table.goaway();
const error: ProtocolError | null = table.receive({ type: 'WINDOW_UPDATE', length: 4, flags: 0, streamId: 0, windowSizeIncrement: 1 });
table.send({ type: 'DATA', streamId: 1, data: new Uint8Array(1), endStream: true });
const h2error: H2Error = new H2Error('FLOW_CONTROL_ERROR', 1, 'too much');

async function live(): Promise<void> {
  const client: H2Client = new H2Client({ initialWindowSize: 2048 });
  await client.connect('127.0.0.1', 8080);
  const requests: RequestSpec[] = [{ path: '/style.css' }, { path: '/up', method: 'PUT', body: new Uint8Array(3), headers: { 'x-a': 'b' }, cancelAfter: 10 }];
  const results: ResponseResult[] = await client.fetchAll(requests);
  const failure: StreamFailure | null = results[0]!.error;
  await client.close();
  const server: H2Server = new H2Server({
    resources: { '/': { status: 200, headers: {}, body: new Uint8Array(1), trailers: { a: 'b' } } },
    initialWindowSize: 1000,
    maxConcurrentStreams: 5,
  });
  const port: number = await server.listen(0, '127.0.0.1');
  await server.close();
  void [failure, port];
}

void [state, sendWindow, receiveWindow, peer, away, error, h2error, live];
