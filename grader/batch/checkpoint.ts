// The checkpoint of a batch: one JSON line per finished run, appended and fsynced the moment the run ends. A
// re-run of the same command reads it and skips every run whose learner, exercise, suite hash and files hash are
// already there. A line is written with one write(2) on an O_APPEND descriptor, so a kill -9 leaves either the whole
// line or none of it; a torn last line (power loss) is cut off before anything new is appended. A record names its
// learner by the exact id (JSON keeps every character, NFC and NFD apart); in memory, records are found by
// tupleKey, never by a joined string two ids could share.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { ExerciseResult } from '../run/result';
import { tupleKey } from './learner-key';

export interface CheckpointRecord {
  v: 1;
  learner: string;
  exercise: string;
  suiteHash: string;
  filesHash: string;
  at: string;
  result: ExerciseResult;
}

export function runKey(learner: string, exercise: string, suiteHash: string, filesHash: string): string {
  return tupleKey(learner, exercise, suiteHash, filesHash);
}

export class Checkpoint {
  private fd: number | undefined;
  /** The latest record per run key. */
  readonly records = new Map<string, CheckpointRecord>();
  /** The latest record per learner and exercise, whatever its suite and files (to tell why a run is graded again). */
  readonly latest = new Map<string, CheckpointRecord>();
  /** Lines that could not be read (a torn last line is cut, not counted). */
  skippedLines = 0;

  constructor(readonly file: string) {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline !== text.length - 1) {
      // A torn last line: drop it so that the next append starts on a line of its own.
      truncateSync(file, Buffer.byteLength(text.slice(0, lastNewline + 1)));
    }
    for (const line of text.slice(0, lastNewline + 1).split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as CheckpointRecord;
        if (record.v !== 1 || !record.result || typeof record.learner !== 'string' || typeof record.exercise !== 'string') throw new Error('bad record');
        this.records.set(runKey(record.learner, record.exercise, record.suiteHash, record.filesHash), record);
        this.latest.set(tupleKey(record.learner, record.exercise), record);
      } catch {
        this.skippedLines++;
      }
    }
  }

  get(learner: string, exercise: string, suiteHash: string, filesHash: string): CheckpointRecord | undefined {
    return this.records.get(runKey(learner, exercise, suiteHash, filesHash));
  }

  /** The last run of this learner and exercise, with whatever suite and files. */
  last(learner: string, exercise: string): CheckpointRecord | undefined {
    return this.latest.get(tupleKey(learner, exercise));
  }

  append(learner: string, result: ExerciseResult, filesHash: string): CheckpointRecord {
    const record: CheckpointRecord = {
      v: 1,
      learner,
      exercise: result.exercise,
      suiteHash: result.suiteHash,
      filesHash,
      at: new Date().toISOString(),
      result,
    };
    this.fd ??= openSync(this.file, 'a', 0o644);
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    for (let at = 0; at < line.length;) at += writeSync(this.fd, line, at, line.length - at);
    fsyncSync(this.fd);
    this.records.set(runKey(learner, result.exercise, result.suiteHash, filesHash), record);
    this.latest.set(tupleKey(learner, result.exercise), record);
    return record;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
