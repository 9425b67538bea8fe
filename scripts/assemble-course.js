#!/usr/bin/env node
// Author tool: rebuilds the `exercises:` list of course.yaml from exercises/*/course-entry.yaml (in folder order),
// keeping the header comments, the title and any progress already recorded.
//   node scripts/assemble-course.js [id...]     (only the named exercises, when given)
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const root = path.resolve(__dirname, '..');
const file = path.join(root, 'course.yaml');
const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
const progress = new Map((doc.toJS().exercises || []).map((e) => [e.id, e.progress]));
const entries = fs
  .readdirSync(path.join(root, 'exercises'))
  .sort()
  .map((d) => path.join(root, 'exercises', d, 'course-entry.yaml'))
  .filter((f) => fs.existsSync(f))
  .map((f) => {
    const entry = YAML.parse(fs.readFileSync(f, 'utf8'));
    if (progress.get(entry.id)) entry.progress = progress.get(entry.id);
    return entry;
  })
  .filter((e) => process.argv.length <= 2 || process.argv.slice(2).includes(e.id));
doc.set('exercises', doc.createNode(entries));
fs.writeFileSync(file, doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
console.log(`course.yaml: ${entries.map((e) => e.id).join(', ')}`);
