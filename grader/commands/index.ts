// The command table. Adding a command = one file in this folder + one line here.

import { check } from './check';
import type { Command } from './command';
import { hint } from './hint';
import { next } from './next';
import { reset } from './reset';
import { solution } from './solution';
import { status } from './status';
import { verify } from './verify';
import { watch } from './watch';

export const learnerCommands: Command[] = [next, check, watch, status, hint, reset, solution];
export const authorCommands: Command[] = [verify];
export const commands: Command[] = [...learnerCommands, ...authorCommands];
