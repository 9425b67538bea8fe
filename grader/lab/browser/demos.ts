// Every demo the page shows, keyed by the exercise that powers it (the server's side is demos/index.ts): its tab's
// title, how it mounts into the demo panel, and the lab events it listens to (named Server-Sent Events the
// demo's server side publishes).

import { LAB_EVENTS, type FeedView } from '../view';
import { CHAT_EVENT, type ChatView } from '../view-chat';
import { chatRoom, onChat } from './chat-room';
import { frameExplorer } from './frame-explorer';
import { hpackDemo } from './hpack-demo';
import { liveFeed, onFeed } from './live-feed';
import { waterfallDemo } from './waterfall';
import { onParking, parkingLot } from './parking-lot';
import { PARKING_EVENT, type ParkingView } from '../view-parking';

export interface PageDemo {
  title: string;
  mount: (panel: HTMLElement) => void;
  /** Event name -> handler of its parsed JSON payload. */
  events?: Record<string, (data: unknown) => void>;
}

export const DEMOS: Record<string, PageDemo> = {
  'hpack-table': { title: 'Demo: HPACK savings', mount: hpackDemo },
  'frame-parser': { title: 'Demo: frame explorer', mount: frameExplorer },
  'typing-indicator': { title: 'Demo: chat room', mount: chatRoom, events: { [CHAT_EVENT]: (data) => onChat(data as ChatView) } },
  'sse-consumer': { title: 'Demo: live feed', mount: liveFeed, events: { [LAB_EVENTS.feed]: (data) => onFeed(data as FeedView) } },
  alpn: { title: 'Demo: waterfall', mount: waterfallDemo },
  'quic-migration': { title: 'Demo: parking lot', mount: parkingLot, events: { [PARKING_EVENT]: (data) => onParking(data as ParkingView) } },
};
