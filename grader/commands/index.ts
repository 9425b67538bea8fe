// The command table. Adding a command = one file in this folder + one line here.

import { check } from './check';
import { doctor } from './doctor';
import { grade } from './grade';
import type { Command } from './command';
import { hint } from './hint';
import { lesson } from './lesson';
import { merge } from './merge';
import { next } from './next';
import { release } from './release';
import { reset } from './reset';
import { solution } from './solution';
import { status } from './status';
import { update } from './update';
import { verify } from './verify';
import { watch } from './watch';

export const learnerCommands: Command[] = [next, lesson, check, watch, status, hint, reset, solution, update, doctor];
export const authorCommands: Command[] = [verify, release, grade, merge];
export const commands: Command[] = [...learnerCommands, ...authorCommands];
