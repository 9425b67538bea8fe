// The `course` command line: parses the arguments, dispatches to one command, and turns errors into messages
// and exit codes (0 ok/passed, 1 graded and failed, 2 usage or input error, 3 the grading machinery failed: nobody
// is charged, 70 an internal error of the CLI itself, with its stack; 130/143 interrupted). Never prints a stack
// trace for a mistake the user can fix.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CourseConflictError, MachineryError, UsageError } from './course/errors';
import { EXIT, type Command, type Context } from './commands/command';
import { authorCommands, commands, learnerCommands, type CommandEntry } from './commands/index';
import { courseRoot } from './paths';
import { closestNames } from './did-you-mean';
import { trace } from './trace';
import { takePrestarted } from './run/prestart';

function version(): string {
  return (JSON.parse(readFileSync(path.join(courseRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function mainHelp(ctx: Context): string {
  const list = (cmds: CommandEntry[]) => cmds.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n');
  return `${ctx.c.bold('course')} — learn HTTP/2 and real-time web protocols by building them

Usage: npx course <command> [options]

Learner commands:
${list(learnerCommands)}

Course author and instructor commands:
${list(authorCommands)}

Options: --help (also after a command), --version, --no-color
Run \`npx course <command> --help\` for the details of one command.
Run \`npx course\` alone in a terminal for an interactive menu.`;
}

function commandHelp(cmd: Command): string {
  return `Usage: ${cmd.usage}\n\n${cmd.summary[0]!.toUpperCase()}${cmd.summary.slice(1)}.\n\n${cmd.help}`;
}

/**
 * Where the learner ran the command. npm runs `npx course` in the folder it was typed in; `npm run`/`npm exec`
 * from a script may move to the package root and leave the original in INIT_CWD.
 */
function invokedFrom(): string {
  const here = process.cwd();
  const init = process.env.INIT_CWD;
  if (init && path.resolve(here) === courseRoot && path.resolve(init).startsWith(courseRoot + path.sep)) return init;
  return here;
}

async function makeContext(noColor: boolean): Promise<Context> {
  const { Chalk } = await import('chalk');
  const tty = Boolean(process.stdout.isTTY);
  const colour = tty && !noColor && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return {
    root: courseRoot,
    cwd: invokedFrom(),
    c: new Chalk({ level: colour ? 2 : 0 }),
    tty,
    interactive: tty && Boolean(process.stdin.isTTY),
    print: (text = '') => process.stdout.write(`${text}\n`),
  };
}

export async function main(argv: string[]): Promise<number> {
  trace('cli loaded');
  const noColor = argv.includes('--no-color');
  const args = argv.filter((a) => a !== '--no-color');
  const ctx = await makeContext(noColor);
  const [first, ...rest] = args;
  if (first === '--version' || first === '-v') {
    ctx.print(version());
    return EXIT.ok;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === undefined && ctx.interactive) {
      return (require('./commands/menu') as typeof import('./commands/menu')).menu(ctx);
    }
    ctx.print(mainHelp(ctx));
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === first);
  if (!entry) {
    const near = first.startsWith('-')
      ? []
      : closestNames(
          commands.map((c) => c.name),
          first.toLowerCase(),
        );
    const hint = near.length
      ? ` Did you mean ${near
          .slice(0, 2)
          .map((n) => `"${n}"`)
          .join(' or ')}?`
      : '';
    process.stderr.write(`course: unknown command "${first}".${hint}\n\n${mainHelp(ctx)}\n`);
    return EXIT.usage;
  }
  const cmd = entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.print(commandHelp(cmd));
    return EXIT.ok;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '')}\nUsage: ${cmd.usage}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  try {
    return await cmd.run(ctx, parsed.positionals, values);
  } catch (err) {
    // course.yaml conflicted in a `git pull`: in a terminal, offer to resolve it and go on.
    if (!(err instanceof CourseConflictError) || !ctx.interactive || cmd.name === 'update') throw err;
    process.stderr.write(`course: ${err.message}\n`);
    const { default: inquirer } = await import('inquirer');
    const { ok } = await inquirer.prompt<{ ok: boolean }>([
      { type: 'confirm', name: 'ok', message: 'Resolve course.yaml now (the course from the update, your progress kept)?', default: true },
    ]);
    if (!ok) return EXIT.usage;
    const { update } = require('./commands/update') as typeof import('./commands/update');
    const resolved = await update.run(ctx, [], { 'resolve-only': true });
    if (resolved !== EXIT.ok) return resolved;
    ctx.print();
    return cmd.run(ctx, parsed.positionals, values);
  }
}

export function run(argv: string[]): void {
  // Ctrl-C: end the run's processes (the exit hooks kill the jest process group) and leave files as they are;
  // course.yaml is only ever replaced atomically, so it is intact.
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted\n');
    process.exit(130);
  });
  process.once('SIGTERM', () => process.exit(143));
  // `course status | head`: a reader that stops early is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(argv)
    // A jest process started early but not used (e.g. after a usage error) must not keep the CLI alive.
    .finally(() => takePrestarted()?.kill())
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        // Ctrl-C inside an inquirer prompt (the terminal is in raw mode, so no SIGINT): the same as Ctrl-C anywhere.
        if (err instanceof Error && err.name === 'ExitPromptError') {
          process.stderr.write('\ninterrupted\n');
          process.exitCode = 130;
        } else if (err instanceof MachineryError) {
          process.stderr.write(`course: ${err.message}\n`);
          process.exitCode = EXIT.machinery;
        } else if (err instanceof UsageError) {
          process.stderr.write(`course: ${err.message}\n`);
          process.exitCode = EXIT.usage;
        } else {
          process.stderr.write(`course: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
          process.exitCode = 70;
        }
      },
    );
}
