// `course` alone in a terminal: a small menu for people who do not remember the commands yet.

import { loadCourse } from '../course/course-file';
import { currentExercise } from '../course/select';
import type { Command, Context } from './command';
import { check } from './check';
import { hint } from './hint';
import { next } from './next';
import { reset } from './reset';
import { solution } from './solution';
import { status } from './status';

export async function menu(ctx: Context): Promise<number> {
  const { default: inquirer } = await import('inquirer');
  for (;;) {
    const current = currentExercise(loadCourse(ctx.root));
    const choices: Array<{ name: string; value: Command | 'quit' }> = [
      { name: `Check my code (${current.id})`, value: check },
      { name: 'Show the current / next exercise', value: next },
      { name: 'Give me a hint', value: hint },
      { name: 'Show my progress', value: status },
      { name: 'Show the solution (after passing)', value: solution },
      { name: 'Restore the starter file', value: reset },
      { name: 'Quit', value: 'quit' },
    ];
    const { action } = await inquirer.prompt<{ action: Command | 'quit' }>([{ type: 'select', name: 'action', message: 'What next?', choices, loop: false }]);
    if (action === 'quit') return 0;
    ctx.print();
    await action.run(ctx, [], {});
    ctx.print();
  }
}
