// Types for fixture-course.js (plain JS so that bench/batch.js can use it without a build step).
export interface ArchiveEntry {
  name: string;
  data?: string | Buffer;
  mode?: number;
  declaredSize?: number;
  type?: string;
  linkname?: string;
  /** Modification time in seconds (tar entries). */
  mtime?: number;
}
export interface CaseExpect {
  learner: string | string[];
  calc?: { status: string[]; score: number };
}
export interface AdversarialCase {
  description: string;
  kind: 'folder' | 'zip' | 'tar.gz';
  expect: CaseExpect;
}
export const REPO: string;
export const ADVERSARIAL: string;
export const EXERCISES: Array<{ id: string; num: string; file: string; fixture: string; suite: string; tests: number }>;
export const PKG_EXERCISE: { id: string; num: string; file: string; fixture: string; suite: string; tests: number; packages: string[] };
export function makeCourse(dir: string, options?: { timeout?: string; packages?: boolean; only?: string[]; points?: Record<string, string> }): string;
export function solution(id: string): string;
export function stub(id: string): string;
export const CALC_PARTIAL: string;
export const WORDS_PARTIAL: string;
export const CALC_SYNTAX_ERROR: string;
export function courseLayout(files: Record<string, string>, prefix?: string): Record<string, string>;
export function writeFolder(dir: string, files: Record<string, string>): void;
export function zipBuffer(entries: ArchiveEntry[]): Buffer;
export function tarBuffer(entries: ArchiveEntry[]): Buffer;
export function tarGzBuffer(entries: ArchiveEntry[]): Buffer;
export function filesToEntries(files: Record<string, string>): ArchiveEntry[];
export function listCases(): string[];
export function readCase(name: string): AdversarialCase;
export function materializeCase(name: string, subsDir: string, id: string, vars: Record<string, string | number>): AdversarialCase;
