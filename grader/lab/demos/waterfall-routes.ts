// The waterfall demo's route: the page's settings (checked: small limits, so a run stays a few seconds), one run
// of both lanes (waterfall.ts), its measured result. A new run, or the lab closing, ends the previous one.

import { HttpError } from '../demo-input';
import { json, readJson } from '../http-io';
import type { WaterfallSettings } from '../view-waterfall';
import type { DemoFactory } from './demo';
import { WaterfallDemo } from './waterfall';

const LIMITS: Record<keyof WaterfallSettings, [number, number]> = {
  resources: [1, 60],
  size: [1, 100_000],
  latencyMs: [0, 300],
  lossPercent: [0, 20],
  seed: [1, 2 ** 31 - 1],
};

export function waterfallSettings(body: unknown): WaterfallSettings {
  const b = (body ?? {}) as Partial<Record<keyof WaterfallSettings, unknown>>;
  const read = (key: keyof WaterfallSettings, fallback: number): number => {
    const value = b[key] ?? fallback;
    const [min, max] = LIMITS[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new HttpError(400, `${key}: a number from ${min} to ${max}`);
    return key === 'lossPercent' ? value : Math.round(value);
  };
  return {
    resources: read('resources', 12),
    size: read('size', 2000),
    latencyMs: read('latencyMs', 40),
    lossPercent: read('lossPercent', 0),
    seed: read('seed', 1),
  };
}

export const waterfallDemo: DemoFactory = (ctx) => {
  const demo = new WaterfallDemo();
  return {
    routes: {
      'POST /api/demo/waterfall': async (request, response) => {
        const settings = waterfallSettings(await readJson(request));
        const result = await demo.start(ctx.root, ctx.exerciseOf('alpn'), settings);
        if ('superseded' in result) throw new HttpError(409, 'a newer run replaced this one');
        json(response, result);
      },
    },
    close: () => demo.close(),
  };
};
