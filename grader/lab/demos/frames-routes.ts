// The frame explorer's route: the page's requests, made on a real node:http2 session, its bytes read by the
// learner's frame parser (frames.ts).

import { requestList } from '../demo-input';
import { json, readJson } from '../http-io';
import type { DemoFactory } from './demo';
import { runFramesDemo } from './frames';

export const framesDemo: DemoFactory = (ctx) => ({
  routes: {
    'POST /api/demo/frames': async (request, response) => {
      const requests = requestList((await readJson(request)) as { requests?: unknown } | null);
      json(response, await runFramesDemo(ctx.root, ctx.exerciseOf('frame-parser'), requests));
    },
  },
});
