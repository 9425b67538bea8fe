// Every demo the lab serves, one line each (the page's side is browser/demos.ts).

import { chatDemo } from './chat-routes';
import type { DemoFactory } from './demo';
import { feedDemo } from './feed-routes';
import { framesDemo } from './frames-routes';
import { hpackDemo } from './hpack-routes';
import { parkingDemo } from './parking-routes';
import { waterfallDemo } from './waterfall-routes';

export const DEMOS: DemoFactory[] = [hpackDemo, framesDemo, feedDemo, waterfallDemo, chatDemo, parkingDemo];
