// The HPACK savings demo's route: the page's list of requests, encoded by nghttp2 on a live session and decoded by
// the learner's decoder (hpack.ts).

import { hpackInput } from '../demo-input';
import { json, readJson } from '../http-io';
import type { DemoFactory } from './demo';
import { runHpackDemo } from './hpack';

export const hpackDemo: DemoFactory = (ctx) => ({
  routes: {
    'POST /api/demo/hpack': async (request, response) => {
      const { requests, tableSize } = hpackInput(await readJson(request));
      json(response, await runHpackDemo(ctx.root, ctx.exerciseOf('hpack-table'), requests, tableSize));
    },
  },
});
