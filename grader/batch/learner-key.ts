// A learner's identity as a path or a key (docs/SECURITY.md, "Identity"). A learner id is the exact name of an
// entry in the submissions folder: any Unicode, any case, spaces and punctuation. A lossy "safe name" made two
// learners one (`carol jones` and `carol_jones` shared an intake folder and a results file: the later overwrote
// the earlier, and both got its score). Every place that turns an id into a file name (the work folder, results/,
// feedback/, gradescope/, exercism/) goes through learnerKey; every in-memory key made of an id and other parts
// goes through tupleKey; a set of ids that would still share a key is refused by learnerKeys, naming them.
//
// The key: an id that is already plain lowercase ASCII (`alice`, `lab1-bob`, `ann.lee`) is its own key, so the
// usual class keeps readable file names. Any other id becomes a readable part (ASCII-folded, lowercase, every other
// character run as `_`) plus `~` and a hash of the exact id's UTF-8 bytes. Why this is collision-free:
//   - a plain key never contains `~`, a hashed key always does: the two kinds never meet (a learner cannot pick
//     the name `ann~<hash>` to take over Ann's file: that name is not plain, so it gets a hash of its own);
//   - two plain keys are their ids, which differ;
//   - two hashed keys differ in their hash unless SHA-256 cut to 48 bits collides: learnerKeys refuses that case
//     (it can be forced with about 2^48 hashes, so it is checked, never assumed);
//   - keys are lowercase ASCII only: a case-insensitive file system (macOS, Windows) or a Unicode-normalising one
//     (APFS: `José` NFC and NFD are one file name there) cannot fold two keys into one, so `Ann`/`ann` and the two
//     forms of `José` stay apart everywhere, while on Linux they are (and stay) different learners.
// Windows device names (`con`, `nul.txt`) and names with a leading, trailing or doubled dot are not plain.

import { createHash } from 'node:crypto';

/** Ids that are their own key: lowercase ASCII words joined by single `.`, `_` or `-`, at most 64 characters. */
const PLAIN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/;
const PLAIN_MAX = 64;
/** The readable part of a hashed key. */
const READABLE_MAX = 40;
/** Hex digits of SHA-256 in a hashed key (48 bits: no accidental collision in any class; forced ones are refused). */
const HASH_DIGITS = 12;

/** The hash part of a hashed key: SHA-256 of the exact id's UTF-8 bytes (no normalisation, no case folding). */
export function idHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex').slice(0, HASH_DIGITS);
}

/** Whether an id is its own key. */
export function isPlainId(id: string): boolean {
  return id.length <= PLAIN_MAX && PLAIN.test(id) && !WINDOWS_DEVICE.test(id);
}

/** The readable part of a hashed key: the id folded to lowercase ASCII letters and digits, other runs as `_`. */
function readablePart(id: string): string {
  const folded = id
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // accents: é → e
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, READABLE_MAX)
    .replace(/_+$/, '');
  return folded || 'learner';
}

/** The file-system-safe, collision-free key of an exact learner id: the id itself when plain, else `readable~hash`. */
export function learnerKey(id: string): string {
  return isPlainId(id) ? id : `${readablePart(id)}~${idHash(id)}`;
}

/** Two or more different ids would share one key (a forced hash collision): refused, never merged. */
export class LearnerKeyCollision extends Error {}

/**
 * The keys of a set of ids, checked to be distinct: an id listed twice, or two different ids with one key, are refused
 * with the ids named (one results file for two entries would be a silent overwrite). Keys are compared as the file system of the output may see them (case-folded), though learnerKey
 * only makes lowercase ASCII keys.
 */
export function learnerKeys(ids: Iterable<string>): Map<string, string> {
  const keys = new Map<string, string>();
  const owner = new Map<string, string>();
  const clashes: string[] = [];
  for (const id of ids) {
    if (keys.has(id)) {
      clashes.push(`${JSON.stringify(id)} twice`);
      continue;
    }
    const key = learnerKey(id);
    const folded = key.toLowerCase();
    const other = owner.get(folded);
    if (other !== undefined) clashes.push(`${JSON.stringify(other)} and ${JSON.stringify(id)} (key ${key})`);
    else owner.set(folded, id);
    keys.set(id, key);
  }
  if (clashes.length)
    throw new LearnerKeyCollision(`learners would share one file name, so nothing was written: ${clashes.join('; ')}; rename one of each pair`);
  return keys;
}

/**
 * An exact in-memory key for a tuple of strings (a learner id and an exercise id, ...): JSON of the array, which is
 * injective whatever characters the parts hold (a joined `a\0b` is not, once a part may hold the separator).
 */
export function tupleKey(...parts: string[]): string {
  return JSON.stringify(parts);
}
