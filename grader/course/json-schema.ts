// Writes course.schema.json from the zod schema, so editors (via the `yaml-language-server` comment at the top of
// course.yaml) autocomplete and validate the file. Run by `npm run schema`; a test checks it is up to date.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { courseRoot } from '../paths';
import { Course } from './schema';

export function courseJsonSchema(): string {
  const schema = z.toJSONSchema(Course, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return `${JSON.stringify({ ...schema, title: 'course.yaml', description: 'A course: its exercises in order, and the learner\'s progress.' }, null, 2)}\n`;
}

if (require.main === module) {
  const file = path.join(courseRoot, 'course.schema.json');
  writeFileSync(file, courseJsonSchema());
  process.stdout.write(`wrote ${file}\n`);
}
