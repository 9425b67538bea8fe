// The public API of exercise 02 (frame-parser), type-checked together with the learner's file: a mismatch here
// is reported as "your exports do not match the API the lesson asks for".
import { CONNECTION_PREFACE, FrameParser, type ErrorCodeName, type Frame, type FrameError, type FrameParserOptions, type ParserEvent } from '@exercise';

const options: FrameParserOptions = { expectPreface: true, maxFrameSize: 16_384 };
const parser: FrameParser = new FrameParser(options);
const plain: FrameParser = new FrameParser();
const preface: string = CONNECTION_PREFACE;
const events: ParserEvent[] = parser.push(Buffer.from(preface, 'latin1'));
const more: ParserEvent[] = plain.pushAll([new Uint8Array(9), Buffer.alloc(3)]);
plain.setMaxFrameSize(32_768);
const limit: number = plain.maxFrameSize;

function describe(event: ParserEvent): string {
  if (event.type === 'error') {
    const e: FrameError = event;
    const code: ErrorCodeName = e.code;
    const scope: 'connection' | 'stream' = e.scope;
    return `${code} ${scope} ${e.streamId} ${e.message}`;
  }
  const f: Frame = event;
  const head = `${f.type} ${f.length} ${f.flags} ${f.streamId}`;
  switch (f.type) {
    case 'DATA':
      return `${head} ${f.endStream} ${f.padLength} ${f.data.length}`;
    case 'HEADERS':
      return `${head} ${f.endStream} ${f.endHeaders} ${f.padLength} ${f.priority?.weight ?? '-'} ${f.fragment.length}`;
    case 'PRIORITY':
      return `${head} ${f.priority.exclusive} ${f.priority.dependency} ${f.priority.weight}`;
    case 'RST_STREAM':
      return `${head} ${f.errorCode}`;
    case 'SETTINGS':
      return `${head} ${f.ack} ${f.settings.map((s) => `${s.id}=${s.value}`).join(',')}`;
    case 'PUSH_PROMISE':
      return `${head} ${f.endHeaders} ${f.padLength} ${f.promisedStreamId} ${f.fragment.length}`;
    case 'PING':
      return `${head} ${f.ack} ${f.opaqueData.length}`;
    case 'GOAWAY':
      return `${head} ${f.lastStreamId} ${f.errorCode} ${f.debugData.length}`;
    case 'WINDOW_UPDATE':
      return `${head} ${f.windowSizeIncrement}`;
    case 'CONTINUATION':
      return `${head} ${f.endHeaders} ${f.fragment.length}`;
  }
}

export const used = [events.map(describe), more.map(describe), limit];
