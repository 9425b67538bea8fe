// The live feed's routes: start a run of the learner's SseClient against the feed (feed.ts), and the same feed
// for the browser's own EventSource, through the lab's own origin (the page's CSP allows no other).

import { json } from '../http-io';
import { SECURITY_HEADERS } from '../page';
import { LAB_EVENTS } from '../view';
import type { DemoFactory } from './demo';
import { FeedDemo } from './feed';
import { serveFeed } from './feed-script';

export const feedDemo: DemoFactory = (ctx) => {
  const feed = new FeedDemo((view) => ctx.publish(LAB_EVENTS.feed, view));
  return {
    routes: {
      'POST /api/demo/feed': async (_request, response) => json(response, await feed.start(ctx.root, ctx.exerciseOf('sse-consumer'))),
      'GET /api/demo/feed/stream': (request, response) => serveFeed(request, response, SECURITY_HEADERS),
    },
    close: () => feed.close(),
  };
};
