// The parking lot's routes: start a run (the file's size, and how the TCP client recovers after the switch) and
// press Switch network; the run's snapshots reach the page on the lab's event stream (parking.ts).

import { HttpError } from '../demo-input';
import { json, readJson } from '../http-io';
import { PARKING_EVENT, type TcpRecovery } from '../view-parking';
import type { DemoFactory } from './demo';
import { ParkingDemo } from './parking';

const MB = 1024 * 1024;
export const PARKING_SIZES = [1 * MB, 2 * MB, 4 * MB];

function startInput(body: unknown): { size: number; recovery: TcpRecovery } {
  const b = body as { size?: unknown; recovery?: unknown } | null;
  const size = typeof b?.size === 'number' && PARKING_SIZES.includes(b.size) ? b.size : undefined;
  if (size === undefined) throw new HttpError(400, `size: one of ${PARKING_SIZES.join(', ')} bytes`);
  if (b?.recovery !== 'restart' && b?.recovery !== 'range') throw new HttpError(400, 'recovery: "restart" or "range"');
  return { size, recovery: b.recovery };
}

export const parkingDemo: DemoFactory = (ctx) => {
  const parking = new ParkingDemo((view) => ctx.publish(PARKING_EVENT, view));
  return {
    routes: {
      'POST /api/demo/parking': async (request, response) => {
        const { size, recovery } = startInput(await readJson(request));
        json(response, await parking.start(ctx.root, ctx.exerciseOf('quic-migration'), size, recovery));
      },
      'POST /api/demo/parking/switch': async (request, response) => {
        const body = (await readJson(request)) as { run?: unknown } | null;
        json(response, await parking.switchNetwork(typeof body?.run === 'number' ? body.run : -1));
      },
    },
    close: () => parking.close(),
  };
};
