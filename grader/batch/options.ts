// What `course grade` asks of a batch (BatchOptions) and what the batch tells it while it runs (BatchEvent): the
// contract between the command (commands/grade.ts) and the batch's plan, pool and assembly.

import type { ExerciseSpec } from '../course/schema';
import type { AssignmentMeta } from './assignment';
import type { IntakeLimits } from './intake';
import type { LatePolicy } from './late';
import type { ExerciseOutcome } from './model';
import type { RosterEntry } from './roster';

export interface Shard {
  index: number;
  count: number;
}

export type BatchEvent =
  | { type: 'start'; total: number; resumed: number; learners: number; rejected: number }
  | { type: 'run'; learner: string; outcome: ExerciseOutcome; resumed: boolean };

export interface BatchOptions {
  courseRoot: string;
  courseTitle: string;
  /** The exercises this run grades (all, an assignment's or --exercises'), with the points they are worth here. */
  exercises: ExerciseSpec[];
  /** The assignment graded (--assignment), for the outputs' names and the LMS column. */
  assignment?: AssignmentMeta;
  submissionsDir: string;
  outDir: string;
  jobs: number;
  shard?: Shard;
  /** Overrides every exercise's time limit. */
  timeoutMs?: number;
  /** V8 heap of a student child, MB. */
  heapMb?: number;
  /** Address-space cap of a student child, MB (caps Buffers too). */
  memoryMb?: number;
  /** Allow isolation layers (default true). */
  isolation?: boolean;
  /** Run each exercise's reference solution first and stop if it does not pass (default true). */
  canary?: boolean;
  typecheck?: boolean;
  limits?: IntakeLimits;
  seed?: number;
  /** Submission ids graded again whatever the checkpoint holds (--only). */
  only?: string[];
  /** The class roster (--roster). */
  roster?: { file: string; entries: RosterEntry[] };
  /** The deadline and late policy (--deadline, --late); `timesFile` is the metadata file of submission times. */
  deadline?: { at: Date; policy: LatePolicy; policyText: string; timesFile?: string };
  onEvent?: (event: BatchEvent) => void;
  /** Said once: which isolation layers are off, where the work folder is, ... */
  onNotice?: (text: string) => void;
}
