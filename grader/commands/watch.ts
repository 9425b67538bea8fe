// `course watch`: the main loop. A screen, not a log: each run clears and redraws it with a summary line and
// progress bars, the failing tests first (the first with its full evidence, the others one line each), passes
// collapsed to a count, and the keys at the bottom. One warm jest process serves the whole session. Where
// fs.watch reports nothing (WSL2 on a Windows drive, network mounts), it polls.

import { mkdirSync, readFileSync, statSync, watch as watchFiles, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { loadCourse, progressOf, updateProgress, type LoadedCourse } from '../course/course-file';
import { UsageError } from '../course/errors';
import { fsWatchWorks } from '../course/fs-probe';
import type { ExerciseSpec } from '../course/schema';
import { numberOf, pickExercise } from '../course/select';
import { stateDir } from '../paths';
import { bestOf, isCompileError, renderDiagnostics, statusColour } from '../report/terminal';
import { terminalBlock } from '../report/escape';
import { JestProcess } from '../run/jest-process';
import { takePrestarted } from '../run/prestart';
import type { ExerciseResult, TestResult } from '../run/result';
import type { RunEvent } from '../run/run-exercise';
import { checkExercise, recordAttempt } from './check';
import { EXIT, type Command, type Context } from './command';
import { wrap } from './hint';
import { snapshotStub } from './next';

/** "[██████░░░░] 6/10" */
export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

interface Screen {
  exercise: ExerciseSpec;
  course: LoadedCourse;
  result?: ExerciseResult;
  running?: { done: number; expected: number; failed: number; phase: string };
  /** A panel under the results: a hint, the list of exercises, a message. */
  panel?: string;
  poll: boolean;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n').find((l) => l.trim())?.trim() ?? '';
}

/** The screen as text, fitted to `rows` lines where it can be. */
export function renderScreen(ctx: Context, s: Screen, rows: number): string {
  const { c } = ctx;
  const { exercise, course, result } = s;
  const total = course.data.exercises.length;
  const doneCount = course.data.exercises.filter((e) => progressOf(e).status === 'done').length;
  const head = c.bold(`Exercise ${numberOf(course, exercise)} of ${total}: ${exercise.title}`) + c.gray(` (${exercise.id})`);
  const courseBar = `course ${bar(doneCount, total, 10)}`;
  const out: string[] = [head];
  const footer: string[] = [];
  if (s.running) {
    const r = s.running;
    out.push(`${c.cyan('⟳ checking')} ${r.phase}${r.expected ? `  tests ${bar(r.done, r.expected)}${r.failed ? c.red(` ${r.failed} failed`) : ''}` : ''}   ${courseBar}`);
  }
  if (result) {
    const passed = result.tests.filter((t) => t.status === 'passed');
    const failing = result.tests.filter((t) => t.status !== 'passed');
    const best = bestOf(progressOf(course.data.exercises.find((e) => e.id === exercise.id) ?? exercise));
    let summary: string;
    if (result.status === 'passed') summary = c.green.bold(`✔ passed: all ${result.tests.length} tests`);
    else if (isCompileError(result)) summary = c.red.bold('✗ does not compile');
    else if (result.tests.length) summary = c.red.bold(`✗ ${failing.length} of ${result.tests.length} tests failing`);
    else summary = statusColour(c, result).bold(`✗ ${result.status}`);
    const testsBar = result.tests.length ? `  tests ${bar(passed.length, result.tests.length)}` : '';
    if (!s.running) out.push(`${summary}${testsBar}   ${courseBar}${best && result.status !== 'passed' ? c.gray(`   best ${best}`) : ''}`);
    out.push('');
    const syntax = result.diagnostics.filter((d) => d.kind === 'syntax');
    if (syntax.length) {
      out.push(renderDiagnostics(c, syntax, exercise.dir, path.join(ctx.root, exercise.dir)));
      out.push('');
    } else if (result.message && result.status !== 'passed' && !result.tests.length) {
      out.push(statusColour(c, result)(terminalBlock(result.message)), '');
    }
    // Failures first: the first with its evidence, the others one line each; passes as a count.
    const name = (t: TestResult) => [...t.group, t.title].join(' › ');
    const [firstFail, ...otherFails] = failing;
    const tail: string[] = [];
    for (const t of otherFails) tail.push(`${c.red('✗')} ${name(t)}${t.message ? c.gray(`  — ${firstLine(t.message)}`) : ''}`);
    if (passed.length) tail.push(c.green(`✓ ${passed.length} passed`));
    const types = result.diagnostics.filter((d) => d.kind === 'type');
    if (types.length) tail.push(c.yellow(`${types.length} type error(s), e.g. ${types[0]!.file}:${types[0]!.line}: ${firstLine(types[0]!.message)}`));
    if (result.status !== 'passed' && result.tests.length) tail.push(c.gray(`seed ${result.seed}: npx course check ${exercise.id} --seed ${result.seed} replays this run`));
    if (firstFail) {
      out.push(`${c.red('✗')} ${c.bold(name(firstFail))}`);
      // The evidence gets the room the rest leaves (at least 8 lines).
      const room = Math.max(8, rows - out.length - tail.length - 6 - (s.panel ? s.panel.split('\n').length + 1 : 0));
      // Every line of the message after a "│ " mark (escape.ts): none can pass for the grader's own lines.
      const lines = terminalBlock(firstFail.message ?? '', '    ').split('\n');
      const shown = lines.length > room ? [...lines.slice(0, room - 1), `    ${c.gray(`… ${lines.length - room + 1} more lines: npx course check shows them all`)}`] : lines;
      out.push(shown.join('\n'), '');
    }
    out.push(...tail);
    if (result.status === 'passed') footer.push(c.green(`Passed! Press ${c.bold('n')} for the next exercise.`));
  } else if (!s.running) out.push('', c.gray('waiting for the first check…'));
  const keys = [`${c.bold('n')} next`, `${c.bold('h')} hint`, `${c.bold('l')} list`, `${c.bold('r')} re-run`, `${c.bold('q')} quit`].join('  ');
  const watching = c.gray(`watching ${exercise.files.map((f) => path.join(exercise.dir, f)).join(', ')}${s.poll ? ' (polling)' : ''}`);
  footer.push(`${keys}   ${watching}`);
  const body = out.join('\n').split('\n');
  // Keep the panel (a hint, the list) and the keys on screen: cut the body (never the first two lines) when the
  // screen is short.
  const panel = s.panel ? ['', ...s.panel.split('\n')] : [];
  const room = rows - footer.length - panel.length - 1;
  const fitted = body.length > room && room > 4 ? [...body.slice(0, room - 1), c.gray('…')] : body;
  return [...fitted, ...panel, '', ...footer].join('\n');
}

/** The exercises as a list to pick from (the cursor on `selected`). */
function renderList(ctx: Context, course: LoadedCourse, selected: number, watched: ExerciseSpec): string {
  const { c } = ctx;
  const lines = course.data.exercises.map((e, i) => {
    const p = progressOf(e);
    const mark = p.status === 'done' ? c.green('✓') : p.status === 'current' ? c.cyan('▶') : p.status === 'failed' ? c.red('✗') : ' ';
    const label = `${String(i + 1).padStart(2)}. ${e.id.padEnd(20)} ${p.status}${e.id === watched.id ? ' (watching)' : ''}`;
    return `${i === selected ? c.inverse(`❯ ${label}`) : `  ${label}`} ${mark}`;
  });
  return [c.bold('Exercises: ↑/↓ to choose, Enter to watch it, Esc to go back'), ...lines].join('\n');
}

export const watch: Command = {
  name: 'watch',
  summary: 're-check your code every time you save it',
  usage: 'course watch [id] [--poll]',
  help: `Checks the exercise (the one whose folder you are in, else the current one, or the one you name)
now and again after every save of its files. The screen is redrawn on each run: a summary line with
progress bars, the failing tests first (the first one with its evidence), the passes counted. A trusted
jest process is kept warm between runs, so re-checks are quick. Progress is recorded as with check;
a run stopped by quitting is not counted.

Keys: n next exercise (once this one passed), h hint, l list of exercises (pick one to jump to),
r re-run, q quit (or Ctrl-C).

Options:
  --poll   look for changes by reading the files every 300 ms instead of file-system events. Chosen by
           itself when a probe shows that file-system events do not arrive (WSL2 on a Windows drive,
           network mounts)`,
  options: { poll: { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length > 1) throw new UsageError('watch takes at most one exercise id');
    let course = loadCourse(ctx.root);
    let exercise = pickExercise(course, positionals[0], ctx.cwd);
    const screenMode = ctx.tty;
    const keysOn = ctx.interactive;
    let poll = Boolean(values.poll);
    if (!poll && !(await fsWatchWorks(stateDirReady(ctx.root)))) {
      poll = true;
      process.stderr.write('course: file-system events do not arrive in this folder; watching by polling instead (--poll)\n');
    }

    let jest = takePrestarted() ?? new JestProcess();
    const screen: Screen = { exercise, course, poll };
    let listCursor: number | undefined;
    let stopping = false;
    let running = false;
    let again = false;
    let force = false;
    let last: string | undefined;
    let generation = 0;

    const draw = () => {
      if (stopping) return;
      const rows = process.stdout.rows || 24;
      if (listCursor !== undefined) screen.panel = renderList(ctx, course, listCursor, exercise);
      const text = renderScreen(ctx, screen, rows);
      if (screenMode) process.stdout.write(`\x1b[H\x1b[2J\x1b[3J${text}\n`);
      else if (!screen.running) ctx.print(`${text}\n`);
    };

    const snapshot = () =>
      exercise.files
        .map((f) => {
          try {
            return readFileSync(path.join(ctx.root, exercise.dir, f), 'utf8');
          } catch {
            return '';
          }
        })
        .join('\0');

    const runOnce = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const now = snapshot();
          if (now === last && !force) continue; // saved without changes
          force = false;
          last = now;
          const mine = ++generation;
          const target = exercise;
          screen.running = { done: 0, expected: 0, failed: 0, phase: 'compiling' };
          // A new run replaces the old panel (a hint asked for during this run stays until the next one).
          if (listCursor === undefined) screen.panel = undefined;
          draw();
          const onEvent = (e: RunEvent) => {
            const r = screen.running;
            if (!r) return;
            if (e.type === 'phase') r.phase = e.phase === 'testing' ? 'running tests' : e.phase;
            if (e.type === 'expected') r.expected = e.count;
            if (e.type === 'test-result') {
              r.done++;
              if (e.test.status !== 'passed') r.failed++;
            }
            if (screenMode && e.type !== 'test-start') draw();
          };
          if (!jest.usable) jest = new JestProcess();
          const result = await checkExercise(ctx, target, { jest, quiet: true, onEvent });
          // Quitting (or switching exercise) during the run: its result is not an attempt.
          if (stopping || mine !== generation || target.id !== exercise.id) continue;
          await recordAttempt(ctx, result);
          course = loadCourse(ctx.root);
          screen.course = course;
          screen.result = result;
          screen.running = undefined;
          draw();
        } while (again && !stopping);
      } finally {
        running = false;
      }
    };

    // Watching: file-system events, or reading the files' size and time every 300 ms.
    let watcher: FSWatcher | undefined;
    let poller: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    const changed = () => {
      clearTimeout(timer);
      // Editors save in several steps (truncate, write, rename): wait for the burst to end.
      timer = setTimeout(() => void runOnce(), 150);
    };
    const startWatching = () => {
      watcher?.close();
      clearInterval(poller);
      const dir = path.join(ctx.root, exercise.dir);
      if (poll) {
        const stamp = () =>
          exercise.files
            .map((f) => {
              try {
                const st = statSync(path.join(dir, f));
                return `${st.size}:${st.mtimeMs}`;
              } catch {
                return '-';
              }
            })
            .join('|');
        let seen = stamp();
        poller = setInterval(() => {
          const now = stamp();
          if (now !== seen) {
            seen = now;
            changed();
          }
        }, 300);
      } else {
        watcher = watchFiles(dir, (_event, name) => {
          if (name && !exercise.files.includes(String(name))) return;
          changed();
        });
      }
    };

    const switchTo = async (target: ExerciseSpec, makeCurrent: boolean) => {
      if (makeCurrent && progressOf(target).status !== 'done') {
        snapshotStub(ctx.root, target);
        const at = new Date().toISOString();
        await updateProgress(course, (p, e) => {
          if (e.id === target.id) return { ...p, status: 'current', startedAt: p.startedAt ?? at };
          if (p.status === 'current') return { ...p, status: p.attempts > 0 ? 'failed' : 'not-started' };
          return undefined;
        });
      }
      course = loadCourse(ctx.root);
      exercise = course.data.exercises.find((e) => e.id === target.id)!;
      Object.assign(screen, { exercise, course, result: undefined, panel: undefined });
      generation++;
      last = undefined;
      startWatching();
      await runOnce();
    };

    const done = new Promise<void>((resolve) => {
      const quit = () => {
        if (stopping) return;
        stopping = true;
        watcher?.close();
        clearInterval(poller);
        clearTimeout(timer);
        jest.kill();
        if (keysOn) {
          process.stdin.setRawMode(false);
          process.stdin.pause();
        }
        resolve();
      };
      process.once('SIGINT', quit);
      if (!keysOn) return;
      process.stdin.setRawMode(true);
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', (data: string) => {
        void onKey(data).catch((err: unknown) => {
          screen.panel = ctx.c.red(String(err instanceof Error ? err.message : err));
          draw();
        });
      });
      const onKey = async (key: string) => {
        if (key === '\x03' || (listCursor === undefined && key === 'q')) return quit();
        if (listCursor !== undefined) {
          const n = course.data.exercises.length;
          if (key === '\x1b[A' || key === 'k') listCursor = (listCursor + n - 1) % n;
          else if (key === '\x1b[B' || key === 'j') listCursor = (listCursor + 1) % n;
          else if (key === '\r' || key === '\n') {
            const target = course.data.exercises[listCursor]!;
            listCursor = undefined;
            screen.panel = undefined;
            if (target.id !== exercise.id) return switchTo(target, true);
          } else if (key === '\x1b' || key === 'q' || key === 'l') {
            listCursor = undefined;
            screen.panel = undefined;
          }
          return draw();
        }
        switch (key) {
          case 'r':
            force = true;
            return runOnce();
          case 'l':
            listCursor = Math.max(0, numberOf(course, exercise) - 1);
            return draw();
          case 'h': {
            const p = progressOf(course.data.exercises.find((e) => e.id === exercise.id) ?? exercise);
            if (!exercise.hints.length) screen.panel = `No hints for ${exercise.id}: re-read the lesson (npx course lesson).`;
            else {
              const index = Math.min(p.hintsShown, exercise.hints.length - 1);
              screen.panel = `${ctx.c.bold(`Hint ${index + 1} of ${exercise.hints.length}:`)}\n${wrap(exercise.hints[index]!.trim(), Math.min((process.stdout.columns || 80) - 2, 100))}`;
              if (p.hintsShown <= index) {
                course = await updateProgress(course, (q) => ({ ...q, hintsShown: Math.max(q.hintsShown, index + 1) }), [exercise.id]);
                screen.course = course;
              }
            }
            return draw();
          }
          case 'n': {
            if (screen.result?.status !== 'passed') {
              screen.panel = ctx.c.yellow('n moves on once this exercise passes (npx course next --force skips it).');
              return draw();
            }
            const list = course.data.exercises;
            const from = list.findIndex((e) => e.id === exercise.id) + 1;
            const target = [...list.slice(from), ...list.slice(0, from)].find((e) => progressOf(e).status !== 'done');
            if (!target) {
              screen.panel = ctx.c.green.bold('Every exercise is done. Quit and run npx course next to re-check them all and finish the course.');
              return draw();
            }
            return switchTo(target, true);
          }
          default:
            return undefined;
        }
      };
    });
    startWatching();
    void runOnce();
    await done;
    if (screenMode) ctx.print();
    return EXIT.ok;
  },
};

function stateDirReady(root: string): string {
  const dir = stateDir(root);
  mkdirSync(dir, { recursive: true });
  return dir;
}
