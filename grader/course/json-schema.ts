// Writes course.schema.json from the zod schema (and docs/schemas/*.schema.json, the --json outputs' shapes), so editors (via the `yaml-language-server` comment at the top of
// course.yaml) autocomplete and validate the file. Run by `npm run schema`; a test checks it is up to date.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { courseRoot } from '../paths';
import { Course } from './schema';
import { outputJsonSchemas } from './output-schema';

export function courseJsonSchema(): string {
  const schema = z.toJSONSchema(Course, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return `${JSON.stringify({ ...schema, title: 'course.yaml', description: "A course: its exercises in order, and the learner's progress." }, null, 2)}\n`;
}

if (require.main === module) {
  const file = path.join(courseRoot, 'course.schema.json');
  writeFileSync(file, courseJsonSchema());
  process.stdout.write(`wrote ${file}\n`);
  // The documented output of `check --json` and `status --json`.
  const dir = path.join(courseRoot, 'docs', 'schemas');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(outputJsonSchemas())) {
    writeFileSync(path.join(dir, name), text);
    process.stdout.write(`wrote ${path.join(dir, name)}\n`);
  }
}
