// The learner key (grader/batch/learner-key.ts): every learner id becomes a file name no other id shares, also on a
// case-insensitive or Unicode-normalising file system; the usual plain ids keep their own name.

import { idHash, isPlainId, learnerKey, LearnerKeyCollision, learnerKeys, tupleKey } from '../../grader/batch/learner-key';

/** A generated class of awkward ids: case, accents in NFC and NFD, dropped characters, devices, lookalikes. */
function generatedIds(): string[] {
  const bases = ['carol jones', 'carol_jones', 'carol-jones', 'carol.jones', 'Carol Jones', 'CAROL_JONES', 'carol  jones', 'carol_jones_', '_carol_jones'];
  const accented = [
    'José',
    'Jose',
    'josé',
    'JOSÉ',
    'Zoë',
    'Zoe',
    'Ångström',
    'Angstrom',
    'Ｊｏｓｅ',
    'ﬁle',
    'file',
    'İrem',
    'irem',
    'straße',
    'strasse',
    'Straße',
  ];
  const dropped = ['x:y', 'x?y', 'x*y', 'x"y', 'x<y', 'x>y', 'x|y', 'x\\y', 'x y', 'x_y', 'x~y', 'x%y', 'x#y', 'x@y', 'x+y', 'x=y'];
  const devices = ['con', 'CON', 'con.txt', 'nul', 'aux.tar', 'com1', 'lpt9', 'prn'];
  const dots = ['.', '..', '.hidden', 'trailing.', 'a..b', 'a._b', 'a.-b'];
  const other = [
    '',
    ' ',
    '~',
    'ann',
    'Ann',
    'ANN',
    'aNN',
    '李雷',
    '李',
    '雷',
    '😀',
    '😀😀',
    'a'.repeat(64),
    'a'.repeat(65),
    'a'.repeat(200),
    `${'a'.repeat(200)}b`,
  ];
  const ids = new Set<string>();
  for (const id of [...bases, ...accented, ...dropped, ...devices, ...dots, ...other]) {
    for (const form of [id, id.normalize('NFC'), id.normalize('NFD'), id.normalize('NFKC'), id.normalize('NFKD'), id.toLowerCase(), id.toUpperCase()])
      ids.add(form);
  }
  // Ids made to look like another id's hashed key (a learner picking the GitHub name `ann~<hash of Ann>`).
  for (const id of [...ids]) ids.add(`${learnerKey(id)}`);
  for (const id of ['Ann', 'José', 'carol jones']) ids.add(`ann~${idHash(id)}`);
  return [...ids];
}

describe('learnerKey', () => {
  const ids = generatedIds();
  const keys = ids.map(learnerKey);

  test(`no two of ${ids.length} generated ids share a key, even after case folding or NFC/NFD/NFKC folding of the keys`, () => {
    for (const fold of [
      (k: string) => k,
      (k: string) => k.toLowerCase(),
      (k: string) => k.toUpperCase(),
      (k: string) => k.normalize('NFC'),
      (k: string) => k.normalize('NFD'),
      (k: string) => k.normalize('NFKC'),
    ]) {
      const seen = new Map<string, string>();
      for (let i = 0; i < ids.length; i++) {
        const folded = fold(keys[i]!);
        const other = seen.get(folded);
        if (other !== undefined) throw new Error(`${JSON.stringify(other)} and ${JSON.stringify(ids[i])} share the key ${folded}`);
        seen.set(folded, ids[i]!);
      }
    }
    expect(learnerKeys(ids).size).toBe(ids.length);
  });

  test('every key is a safe file name on Linux, macOS and Windows', () => {
    for (const key of keys) {
      expect(key).toMatch(/^[a-z0-9][a-z0-9._~-]*$/);
      expect(key).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/);
      expect(key).not.toMatch(/\.$/);
      expect(key.length).toBeLessThanOrEqual(64);
    }
  });

  test('a plain lowercase id is its own key; any other id gets a readable part and the hash of the exact id', () => {
    expect(learnerKey('alice')).toBe('alice');
    expect(learnerKey('lab1-bob')).toBe('lab1-bob');
    expect(learnerKey('ann.lee')).toBe('ann.lee');
    expect(learnerKey('carol_jones')).toBe('carol_jones');
    expect(learnerKey('carol jones')).toBe(`carol_jones~${idHash('carol jones')}`);
    expect(learnerKey('Ann')).toBe(`ann~${idHash('Ann')}`);
    expect(learnerKey('José'.normalize('NFC'))).toBe(`jose~${idHash('José'.normalize('NFC'))}`);
    expect(learnerKey('José'.normalize('NFD'))).toBe(`jose~${idHash('José'.normalize('NFD'))}`);
    expect(idHash('José'.normalize('NFC'))).not.toBe(idHash('José'.normalize('NFD')));
    expect(learnerKey('Jose')).not.toBe(learnerKey('José'));
    expect(learnerKey('x:y')).not.toBe(learnerKey('x?y'));
    expect(learnerKey('李雷')).toMatch(/^learner~[0-9a-f]{12}$/);
    expect(learnerKey('con')).toMatch(/^con~/);
    expect(isPlainId('a'.repeat(64))).toBe(true);
    expect(isPlainId('a'.repeat(65))).toBe(false);
  });

  test("a name made to equal another learner's key gets a key of its own", () => {
    const taken = learnerKey('Ann');
    expect(learnerKey(taken)).not.toBe(taken);
    expect(learnerKeys(['Ann', taken, 'ann']).size).toBe(3);
  });

  test('an id listed twice is refused, naming it', () => {
    expect(() => learnerKeys(['bob', 'alice', 'bob'])).toThrow(LearnerKeyCollision);
    expect(() => learnerKeys(['bob', 'alice', 'bob'])).toThrow(/"bob" twice/);
  });
});

describe('tupleKey', () => {
  test('is exact whatever the parts hold (a joined string is not)', () => {
    expect(tupleKey('a\0b', 'c')).not.toBe(tupleKey('a', 'b\0c'));
    expect(tupleKey('José'.normalize('NFC'), 'calc')).not.toBe(tupleKey('José'.normalize('NFD'), 'calc'));
    expect(tupleKey('a', 'b')).toBe(tupleKey('a', 'b'));
  });
});
