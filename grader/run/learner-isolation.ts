// Which isolation layers a learner's run has (check, watch, verify), in the shape `course grade` records in
// gradebook.json (`isolation`): `course check` prints them in one line and in its --json, `course doctor` lists
// them. Both layers are detected once per process (check-network.ts, child-isolation.ts).

import { childIsolation } from './child-isolation';
import { networkIsolation, NETWORK_LAYER } from './check-network';
import type { LayerId } from '../batch/isolation';

export interface LayerState {
  /** Stable (what comparisons use); the same ids as the batch's layers of the same kind. */
  id: LayerId;
  name: string;
  on: boolean;
  /** Why a layer is off. */
  why?: string;
}

export const PID_LAYER = 'PID namespace for the code under test';

export function learnerIsolation(): LayerState[] {
  const net = networkIsolation();
  const pid = childIsolation();
  // child-isolation.ts words its reason into `describe`: "…: off (reason)".
  const pidWhy = pid.on ? undefined : (/: off \((.*)\)$/.exec(pid.describe)?.[1] ?? 'off');
  return [
    { id: 'net-ns', name: NETWORK_LAYER, on: net.on, ...(net.why ? { why: net.why } : {}) },
    { id: 'pid-ns-host', name: PID_LAYER, on: pid.on, ...(pidWhy ? { why: pidWhy } : {}) },
  ];
}

/** One line, worded as `course grade` words its layers. */
export function describeLayers(layers: LayerState[]): string {
  const on = layers.filter((l) => l.on).map((l) => l.name);
  const off = layers.filter((l) => !l.on).map((l) => `${l.name} (${l.why ?? 'off'})`);
  return `isolation: ${on.length ? on.join('; ') : 'none beyond the child process'}${off.length ? ` — OFF: ${off.join('; ')}` : ''}`;
}

/** The layers as `course check --json` prints them (its schema has no ids: grader/course/output-schema.ts). */
export function shownLayers(layers: LayerState[]): Array<Omit<LayerState, 'id'>> {
  return layers.map((l) => ({ name: l.name, on: l.on, ...(l.why !== undefined ? { why: l.why } : {}) }));
}
