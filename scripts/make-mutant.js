#!/usr/bin/env node
// Author tool: turns an edited copy of a solution file into a mutant patch.
//   node scripts/make-mutant.js <exercise-id> <mutant-name> <edited-file.ts> "what is wrong, in one sentence"
// Writes harness/mutants/<id>/<mutant-name>.patch: the sentence, then a unified diff against the solution.
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const { createPatch } = require('diff');

const [id, name, edited, description] = process.argv.slice(2);
if (!id || !name || !edited || !description) {
  console.error('usage: node scripts/make-mutant.js <exercise-id> <mutant-name> <edited-file.ts> "what is wrong"');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const exercise = YAML.parse(fs.readFileSync(path.join(root, 'course.yaml'), 'utf8')).exercises.find((e) => e.id === id);
if (!exercise) throw new Error(`no exercise ${id} in course.yaml`);
const file = path.basename(edited);
const original = fs.readFileSync(path.join(root, exercise.solution, file), 'utf8');
const patch = createPatch(file, original, fs.readFileSync(edited, 'utf8'), '', '', { context: 3 })
  .split('\n')
  .filter((line) => !line.startsWith('Index:') && !line.startsWith('===='))
  .join('\n')
  .replace(`--- ${file}`, `--- a/${file}`)
  .replace(`+++ ${file}`, `+++ b/${file}`);
const target = path.join(root, exercise.mutants, `${name}.patch`);
fs.writeFileSync(target, `${description.trim()}\n\n${patch}`);
console.log(`wrote ${path.relative(root, target)}; check it with: npx course verify ${id}`);
