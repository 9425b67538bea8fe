// A generated class for test/batch/class-of-thirty.test.ts: 30 roster rows and their submissions to the fixture
// course (calc, words), each with what grading must give, decided here from the plan and never read back from the
// grader.
//
// The fixture exercises are too small for winnowing to tell honest work from a copy on its own: a whole correct
// calc is about 70 tokens with one real design decision (how the running total is kept), so two honest learners
// who make the same choices write the same token stream, which the engine (names, literals, comments and layout
// ignored on purpose, as in MOSS) cannot tell from a renamed copy. Measured with its defaults: two calcs with the
// same class body and another echoBytes score 0.94; the same body with another input check and the methods
// swapped still 0.5 to 0.9. So honest code is composed from a bank of genuinely different implementations (six
// ways to keep the running total, each with several ways to declare, add and total; six input checks; eight
// echoBytes; in words nine countWords, topWord as a counting and a picking step of eight kinds each or in one
// piece, eight Tallys), each learner drawing every choice, local name, comment and layout with the seeded PRNG,
// and a draw that shares more than 40% of its 8-token passages with an earlier honest learner's is drawn again
// (`passages`: a crude measure of its own, not the engine's). Calibrated on freely drawn classes: the engine
// flagged no pair that shared less than 57% of its passages. Over seeds 1-100 no honest pair is flagged (the
// highest unflagged score is 0.5) and both planted pairs are, in both exercises. The engine is used as it is.

export const CALC_TESTS = {
  add: 'adds two numbers (RFC 0000 §1)',
  running: 'keeps a running total',
  echo: 'echoes bytes',
  hiddenNegative: 'adds negative numbers (RFC 0000 §2)',
  hiddenThree: 'the total after three additions (RFC 0000 §3)',
} as const;
export const CALC_HIDDEN = [CALC_TESTS.hiddenNegative, CALC_TESTS.hiddenThree];
export const CALC_ALL: string[] = Object.values(CALC_TESTS);

export const WORDS_TESTS = {
  counts: 'counts words separated by any whitespace',
  blank: 'an empty or blank text has no words',
  top: 'finds the most frequent word, case-insensitively, ties to the alphabetically first',
  tally: 'a tally counts what was added',
} as const;
export const WORDS_ALL: string[] = Object.values(WORDS_TESTS);

/** mulberry32: small, seedable, the same on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---- the bank ----------------------------------------------------------------------------------------------------
//
// Code is written with two-space indentation and `$name` placeholders for every name a learner chooses (locals,
// parameters, private members); `$F` is the state field of a calc family, rendered `#name` when the declaration
// uses a private field. An alternative with `fails` is a mistake, and lists the tests it fails.

interface Alt {
  id: string;
  code: string;
  fails?: string[];
  /** The state field is an ECMAScript private field (#name). */
  hash?: boolean;
}

interface CalcFamily {
  id: string;
  decl: Alt[];
  add: Alt[];
  total: Alt[];
}

const T = CALC_TESTS;

const CALC_FAMILIES: CalcFamily[] = [
  {
    id: 'number',
    decl: [
      { id: 'd1', code: 'private $F = 0;' },
      { id: 'd2', code: 'private $F: number = 0;' },
      { id: 'd3', code: 'private $F: number;\n\nconstructor() {\n  this.$F = 0;\n}' },
      { id: 'd4', code: '$F = 0;', hash: true },
    ],
    add: [
      { id: 'a1', code: 'this.$F += $a + $b;\nreturn $a + $b;' },
      { id: 'a2', code: 'const $r = $a + $b;\nthis.$F += $r;\nreturn $r;' },
      { id: 'a3', code: 'this.$F = this.$F + $a + $b;\nreturn $a + $b;' },
      { id: 'a4', code: 'const $r = $a + $b;\nthis.$F = $r + this.$F;\nreturn $r;' },
    ],
    total: [
      { id: 't1', code: 'return this.$F;' },
      { id: 't2', code: 'const $v = this.$F;\nreturn $v;' },
      { id: 't3', code: 'return Number(this.$F);' },
    ],
  },
  {
    id: 'sums',
    decl: [
      { id: 'd1', code: 'private $F: number[] = [];' },
      { id: 'd2', code: 'private readonly $F: number[] = [];' },
      { id: 'd3', code: 'private $F = new Array<number>();' },
      { id: 'd4', code: '$F: number[] = [];', hash: true },
    ],
    add: [
      { id: 'a1', code: 'this.$F.push($a + $b);\nreturn $a + $b;' },
      { id: 'a2', code: 'const $r = $a + $b;\nthis.$F.push($r);\nreturn $r;' },
      { id: 'a3', code: 'this.$F[this.$F.length] = $a + $b;\nreturn this.$F[this.$F.length - 1];' },
      { id: 'a4', code: 'const $r = $a + $b;\nthis.$F.splice(this.$F.length, 0, $r);\nreturn $r;' },
    ],
    total: [
      { id: 't1', code: 'return this.$F.reduce(($acc, $v) => $acc + $v, 0);' },
      { id: 't2', code: 'let $t = 0;\nfor (const $v of this.$F) {\n  $t += $v;\n}\nreturn $t;' },
      { id: 't3', code: 'let $t = 0;\nfor (let $i = 0; $i < this.$F.length; $i++) $t += this.$F[$i];\nreturn $t;' },
      { id: 't4', code: 'let $t = 0;\nthis.$F.forEach(($v) => {\n  $t += $v;\n});\nreturn $t;' },
      { id: 't5', code: 'let $t = 0;\nlet $i = this.$F.length;\nwhile ($i > 0) {\n  $i--;\n  $t += this.$F[$i];\n}\nreturn $t;' },
    ],
  },
  {
    id: 'pairs',
    decl: [
      { id: 'd1', code: 'private $F: Array<[number, number]> = [];' },
      { id: 'd2', code: 'private readonly $F: [number, number][] = [];' },
      { id: 'd3', code: '$F: Array<readonly [number, number]> = [];', hash: true },
    ],
    add: [
      { id: 'a1', code: 'this.$F.push([$a, $b]);\nreturn $a + $b;' },
      { id: 'a2', code: 'const $p: [number, number] = [$a, $b];\nthis.$F.push($p);\nreturn $p[0] + $p[1];' },
      { id: 'a3', code: 'this.$F.unshift([$a, $b]);\nconst [$x, $y] = this.$F[0];\nreturn $x + $y;' },
    ],
    total: [
      { id: 't1', code: 'let $t = 0;\nfor (const [$x, $y] of this.$F) $t += $x + $y;\nreturn $t;' },
      { id: 't2', code: 'return this.$F.reduce(($acc, [$x, $y]) => $acc + $x + $y, 0);' },
      { id: 't3', code: 'return this.$F.map(([$x, $y]) => $x + $y).reduce(($acc, $v) => $acc + $v, 0);' },
    ],
  },
  {
    id: 'record',
    decl: [
      { id: 'd1', code: 'private $F = { $n: 0, $s: 0 };' },
      { id: 'd2', code: 'private $F: { $n: number; $s: number } = { $n: 0, $s: 0 };' },
      { id: 'd3', code: '$F = { $n: 0, $s: 0 };', hash: true },
    ],
    add: [
      { id: 'a1', code: 'this.$F = { $n: this.$F.$n + 1, $s: this.$F.$s + $a + $b };\nreturn $a + $b;' },
      { id: 'a2', code: 'this.$F.$n++;\nthis.$F.$s += $a + $b;\nreturn $a + $b;' },
      { id: 'a3', code: 'const $r = $a + $b;\nthis.$F = { ...this.$F, $s: this.$F.$s + $r };\nreturn $r;' },
    ],
    total: [
      { id: 't1', code: 'return this.$F.$s;' },
      { id: 't2', code: 'const { $s: $v } = this.$F;\nreturn $v;' },
    ],
  },
  {
    id: 'closure',
    decl: [
      { id: 'd1', code: 'private readonly $F: ($d: number) => number;\n\nconstructor() {\n  let $kept = 0;\n  this.$F = ($e) => ($kept += $e);\n}' },
      { id: 'd2', code: 'private $F = (() => {\n  let $kept = 0;\n  return ($d: number): number => ($kept += $d);\n})();' },
    ],
    add: [
      { id: 'a1', code: 'this.$F($a + $b);\nreturn $a + $b;' },
      { id: 'a2', code: 'const $r = $a + $b;\nthis.$F($r);\nreturn $r;' },
    ],
    total: [
      { id: 't1', code: 'return this.$F(0);' },
      { id: 't2', code: 'const $v = this.$F(0);\nreturn $v;' },
    ],
  },
  {
    id: 'map',
    decl: [
      { id: 'd1', code: 'private $F = new Map<number, number>();' },
      { id: 'd2', code: 'private readonly $F: Map<number, number> = new Map();' },
    ],
    add: [
      { id: 'a1', code: 'this.$F.set(this.$F.size, $a + $b);\nreturn $a + $b;' },
      { id: 'a2', code: 'const $r = $a + $b;\nthis.$F.set(this.$F.size, $r);\nreturn $r;' },
    ],
    total: [
      { id: 't1', code: 'let $t = 0;\nfor (const $v of this.$F.values()) $t += $v;\nreturn $t;' },
      { id: 't2', code: 'return [...this.$F.values()].reduce(($acc, $v) => $acc + $v, 0);' },
      { id: 't3', code: 'let $t = 0;\nthis.$F.forEach(($v) => {\n  $t += $v;\n});\nreturn $t;' },
    ],
  },
];

/** A check at the top of add(); 'abs' is a mistake only the instructor-only tests catch. */
const CALC_GUARDS: Alt[] = [
  { id: 'none', code: '' },
  { id: 'finite', code: "if (!Number.isFinite($a) || !Number.isFinite($b)) {\n  throw new RangeError('add() needs two finite numbers');\n}" },
  { id: 'typeof', code: "if (typeof $a !== 'number' || typeof $b !== 'number') throw new TypeError('not a number');" },
  { id: 'nan', code: "if (Number.isNaN($a + $b)) {\n  throw new Error('the sum is not a number');\n}" },
  { id: 'undefined', code: "if ($a === undefined || $b === undefined) throw new Error('add() needs two numbers');" },
  { id: 'nullish', code: 'if ($a == null || $b == null) {\n  throw new TypeError(`missing operand: ${$a}, ${$b}`);\n}' },
];
const CALC_ABS: Alt = { id: 'abs', code: '$a = Math.abs($a);\n$b = Math.abs($b);', fails: [T.hiddenNegative] };
const CALC_TOTAL_ZERO: Alt = { id: 'zero', code: 'return 0;', fails: [T.running, T.hiddenThree] };

const ECHO: Alt[] = [
  { id: 'e1', code: 'return Buffer.from($bytes);' },
  { id: 'e2', code: 'return new Uint8Array($bytes);' },
  { id: 'e3', code: 'const $out = new Uint8Array($bytes.length);\nfor (let $j = 0; $j < $bytes.length; $j++) {\n  $out[$j] = $bytes[$j];\n}\nreturn $out;' },
  { id: 'e4', code: 'const $out = new Uint8Array($bytes.byteLength);\n$out.set($bytes);\nreturn $out;' },
  { id: 'e5', code: 'return $bytes.slice();' },
  { id: 'e6', code: 'return Uint8Array.from($bytes, ($q) => $q);' },
  { id: 'e7', code: 'return Uint8Array.of(...$bytes);' },
  { id: 'e8', code: 'return $bytes.map(($q) => $q);' },
];
const ECHO_BUGS: Alt[] = [
  { id: 'eb1', code: 'return new Uint8Array(0);', fails: [T.echo] },
  { id: 'eb2', code: 'return $bytes.slice().reverse();', fails: [T.echo] },
  { id: 'eb3', code: 'return $bytes.subarray(1);', fails: [T.echo] },
];

const W = WORDS_TESTS;

const COUNT_WORDS: Alt[] = [
  { id: 'c1', code: 'return $text.split(/\\s+/).filter(($w) => $w.length > 0).length;' },
  { id: 'c2', code: 'return ($text.match(/\\S+/g) ?? []).length;' },
  { id: 'c3', code: "const $t = $text.trim();\nreturn $t === '' ? 0 : $t.split(/\\s+/).length;" },
  {
    id: 'c4',
    code: 'let $n = 0;\nlet $inside = false;\nfor (const $ch of $text) {\n  const $space = /\\s/.test($ch);\n  if (!$space && !$inside) $n++;\n  $inside = !$space;\n}\nreturn $n;',
  },
  { id: 'c5', code: 'return $text.split(/\\s/).reduce(($acc, $w) => ($w ? $acc + 1 : $acc), 0);' },
  { id: 'c6', code: "let $n = 0;\nfor (const $w of $text.split(/[ \\t\\n\\r]+/)) {\n  if ($w !== '') $n += 1;\n}\nreturn $n;" },
  { id: 'c7', code: 'return [...$text.matchAll(/[^\\s]+/g)].length;' },
  { id: 'c8', code: "return $text.replace(/\\s+/g, ' ').trim().split(' ').filter(Boolean).length;" },
  {
    id: 'c9',
    code: 'let $n = 0;\nfor (let $i = 0; $i < $text.length; $i++) {\n  if (/\\S/.test($text[$i]) && ($i === 0 || /\\s/.test($text[$i - 1]))) $n++;\n}\nreturn $n;',
  },
];
const COUNT_WORDS_BUGS: Alt[] = [
  { id: 'cb1', code: 'return $text.split(/\\s+/).length;', fails: [W.blank] },
  { id: 'cb2', code: "return $text.split(' ').length;", fails: [W.counts, W.blank] },
  { id: 'cb3', code: 'return $text.trim().split(/\\s+/).length;', fails: [W.blank] },
];

/** topWord in two steps that learners write independently: counting (into a Map `$m` of lowercased words)... */
const TOP_COUNT: Alt[] = [
  {
    id: 'k1',
    code: 'const $m = new Map<string, number>();\nfor (const $w of $text.toLowerCase().split(/\\s+/)) {\n  if ($w) $m.set($w, ($m.get($w) ?? 0) + 1);\n}',
  },
  { id: 'k2', code: 'const $m = new Map<string, number>();\nfor (const $w of $text.toLowerCase().match(/\\S+/g) ?? []) $m.set($w, ($m.get($w) ?? 0) + 1);' },
  {
    id: 'k3',
    code: "const $m = $text\n  .toLowerCase()\n  .split(/\\s+/)\n  .filter(($w) => $w !== '')\n  .reduce(($acc, $w) => $acc.set($w, ($acc.get($w) || 0) + 1), new Map<string, number>());",
  },
  {
    id: 'k4',
    code: 'const $m = new Map<string, number>();\nfor (const $raw of $text.split(/\\s+/)) {\n  if (!$raw) continue;\n  const $w = $raw.toLowerCase();\n  $m.set($w, ($m.get($w) ?? 0) + 1);\n}',
  },
  {
    id: 'k5',
    code: 'const $m: Map<string, number> = new Map();\n$text.split(/\\s+/).forEach(($raw) => {\n  const $w = $raw.toLowerCase();\n  if ($w.length === 0) return;\n  if ($m.has($w)) $m.set($w, $m.get($w)! + 1);\n  else $m.set($w, 1);\n});',
  },
  {
    id: 'k7',
    code: "const $m = new Map<string, number>();\nconst $ws = $text.toLowerCase().split(/\\s+/);\n$ws.forEach(($w) => {\n  if ($w !== '') $m.set($w, ($m.get($w) || 0) + 1);\n});",
  },
  {
    id: 'k8',
    code: 'const $lower = $text.toLowerCase();\nconst $re = /\\S+/g;\nconst $m = new Map<string, number>();\nfor (let $hit = $re.exec($lower); $hit; $hit = $re.exec($lower)) $m.set($hit[0], ($m.get($hit[0]) ?? 0) + 1);',
  },
  {
    id: 'k6',
    code: "const $ws = $text.toLowerCase().split(/\\s+/);\nconst $m = new Map<string, number>();\nfor (let $i = 0; $i < $ws.length; $i++) {\n  const $w = $ws[$i];\n  if ($w === '') continue;\n  $m.set($w, 1 + ($m.get($w) ?? 0));\n}",
  },
];
/** ... and picking the most frequent word from `$m`, ties to the alphabetically first. */
const TOP_PICK: Alt[] = [
  {
    id: 'p1',
    code: 'let $best: string | null = null;\nlet $most = 0;\nfor (const [$w, $k] of [...$m].sort(($p, $q) => ($p[0] < $q[0] ? -1 : 1))) {\n  if ($k > $most) {\n    $best = $w;\n    $most = $k;\n  }\n}\nreturn $best;',
  },
  {
    id: 'p2',
    code: 'const $ranked = [...$m.entries()].sort(($p, $q) => $q[1] - $p[1] || $p[0].localeCompare($q[0]));\nreturn $ranked.length ? $ranked[0][0] : null;',
  },
  {
    id: 'p3',
    code: 'if ($m.size === 0) return null;\nconst $most = Math.max(...$m.values());\nconst $tied = [...$m.keys()].filter(($w) => $m.get($w) === $most);\nreturn $tied.sort()[0];',
  },
  {
    id: 'p4',
    code: 'let $best: string | null = null;\nfor (const [$w, $k] of $m) {\n  const $old = $best === null ? 0 : $m.get($best)!;\n  if ($k > $old || ($k === $old && $best !== null && $w < $best)) $best = $w;\n}\nreturn $best;',
  },
  {
    id: 'p5',
    code: 'let $best: string | null = null;\nlet $most = -1;\n$m.forEach(($k, $w) => {\n  if ($k > $most || ($k === $most && $best !== null && $w < $best)) {\n    $best = $w;\n    $most = $k;\n  }\n});\nreturn $best;',
  },
  {
    id: 'p7',
    code: 'let $best: string | null = null;\nfor (const $w of [...$m.keys()].sort()) {\n  if ($best === null || $m.get($w)! > $m.get($best)!) $best = $w;\n}\nreturn $best;',
  },
  {
    id: 'p8',
    code: 'const $order = [...$m].sort(([$p, $x], [$q, $y]) => ($y !== $x ? $y - $x : $p < $q ? -1 : 1));\nreturn $order.length > 0 ? $order[0][0] : null;',
  },
  {
    id: 'p6',
    code: 'const $keys = [...$m.keys()].sort();\nreturn $keys.reduce<string | null>(($acc, $w) => ($acc === null || $m.get($w)! > $m.get($acc)! ? $w : $acc), null);',
  },
];
/** topWords written in one piece, without a Map. */
const TOP_WHOLE: Alt[] = [
  {
    id: 'w2',
    code: 'const $tab: Record<string, number> = {};\nfor (const $w of $text.toLowerCase().split(/\\s+/)) {\n  if ($w) $tab[$w] = ($tab[$w] ?? 0) + 1;\n}\nlet $best: string | null = null;\nfor (const $w of Object.keys($tab)) {\n  if ($best === null || $tab[$w] > $tab[$best] || ($tab[$w] === $tab[$best] && $w < $best)) $best = $w;\n}\nreturn $best;',
  },
  {
    id: 'w4',
    code: 'const $ws = $text.toLowerCase().split(/\\s+/).filter(Boolean).sort();\nlet $best: string | null = null;\nlet $most = 0;\nlet $i = 0;\nwhile ($i < $ws.length) {\n  let $j = $i;\n  while ($j < $ws.length && $ws[$j] === $ws[$i]) $j++;\n  if ($j - $i > $most) {\n    $best = $ws[$i];\n    $most = $j - $i;\n  }\n  $i = $j;\n}\nreturn $best;',
  },
];
/** A mistake in any topWord: the case is not folded ("b a B c a b" gives "a"). */
const TOP_WORD_CASE_BUG = { id: 'case', fails: [W.top] };

interface TallyAlt {
  id: string;
  decl: string;
  add: string;
  count: string;
  fails?: string[];
}
const TALLY: TallyAlt[] = [
  {
    id: 'y1',
    decl: 'private readonly $F = new Map<string, number>();',
    add: 'this.$F.set($w, (this.$F.get($w) ?? 0) + 1);',
    count: 'return this.$F.get($w) ?? 0;',
  },
  {
    id: 'y2',
    decl: 'private $F: Record<string, number> = Object.create(null);',
    add: 'this.$F[$w] = (this.$F[$w] || 0) + 1;',
    count: 'return this.$F[$w] || 0;',
  },
  { id: 'y3', decl: 'private $F: string[] = [];', add: 'this.$F.push($w);', count: 'return this.$F.filter(($x) => $x === $w).length;' },
  {
    id: 'y4',
    decl: 'private $F: Map<string, number> = new Map();',
    add: 'if (this.$F.has($w)) {\n  this.$F.set($w, this.$F.get($w)! + 1);\n} else {\n  this.$F.set($w, 1);\n}',
    count: 'return this.$F.has($w) ? this.$F.get($w)! : 0;',
  },
  {
    id: 'y5',
    decl: 'private $F: Array<{ $k: string; $n: number }> = [];',
    add: 'const $hit = this.$F.find(($e) => $e.$k === $w);\nif ($hit) $hit.$n++;\nelse this.$F.push({ $k: $w, $n: 1 });',
    count: 'const $hit = this.$F.find(($e) => $e.$k === $w);\nreturn $hit ? $hit.$n : 0;',
  },
  {
    id: 'y6',
    decl: "private $F = '';",
    add: 'this.$F += `${$w}\\n`;',
    count: "let $n = 0;\nfor (const $line of this.$F.split('\\n')) if ($line === $w) $n++;\nreturn $n;",
  },
  {
    id: 'y7',
    decl: 'private $F: { [word: string]: number } = {};',
    add: 'if ($w in this.$F) this.$F[$w]++;\nelse this.$F[$w] = 1;',
    count: 'return $w in this.$F ? this.$F[$w] : 0;',
  },
  {
    id: 'y8',
    decl: 'private $F: string[] = [];',
    add: 'this.$F = [...this.$F, $w];',
    count: 'return this.$F.reduce(($acc, $x) => ($x === $w ? $acc + 1 : $acc), 0);',
  },
];
const TALLY_BUGS: TallyAlt[] = [
  { id: 'yb1', decl: 'private $F = new Map<string, number>();', add: 'this.$F.set($w, 1);', count: 'return this.$F.get($w) ?? 0;', fails: [W.tally] },
  {
    id: 'yb2',
    decl: 'private $F: Record<string, number> = {};',
    add: 'this.$F[$w] = (this.$F[$w] ?? 0) + 1;',
    count: 'return this.$F[$w] ?? -1;',
    fails: [W.tally],
  },
];

// ---- names, comments, layout ------------------------------------------------------------------------------------

/** Every placeholder's pool; pools are disjoint, so any choice gives distinct names. */
const NAMES: Record<string, string[]> = {
  F: ['state', 'store', 'memory', 'ledger', 'book', 'registry', 'keeper', 'record'],
  a: ['a', 'x', 'lhs', 'first', 'left', 'm'],
  b: ['b', 'y', 'rhs', 'second', 'right', 'n2'],
  r: ['r', 'result', 'res', 'out1', 'answer', 'sumAB'],
  v: ['v', 'val', 'item', 'current', 'amount', 'num'],
  t: ['t', 'acc2', 'runningSum', 'grand', 'soFar', 'accum'],
  acc: ['acc', 'memo', 'carry', 'agg', 'partial', 'prev'],
  i: ['i', 'idx', 'k', 'pos', 'cursor', 'ix'],
  j: ['j', 'jj', 'p2', 'at', 'off', 'slot'],
  x: ['x1', 'u', 'p1', 'left2', 'ax', 'op1'],
  y: ['y1', 'w2', 'q1', 'right2', 'bx', 'op2'],
  p: ['pair', 'tuple', 'couple', 'duo', 'entry2', 'both'],
  n: ['count1', 'calls', 'times', 'nAdds', 'uses', 'ops'],
  s: ['sum', 'runningTotal', 'subtotal', 'totalSoFar', 'accumulated', 'balance'],
  d: ['delta', 'inc', 'step', 'plus', 'add1', 'dv'],
  e: ['amt', 'by', 'increment', 'dx', 'more', 'de'],
  kept: ['kept', 'hold', 'inner', 'box', 'priv', 'secret'],
  bytes: ['bytes', 'data', 'input', 'buf', 'src', 'octets'],
  out: ['out', 'copy', 'dup', 'clone', 'dest', 'target'],
  q: ['q', 'byte', 'o', 'el', 'bt', 'z'],
  text: ['text', 'str', 'input1', 'sentence', 'line', 'source'],
  w: ['w', 'word', 'token', 'piece', 'term', 'wd'],
  ch: ['ch', 'c', 'character', 'glyph', 'letter', 'symbol'],
  space: ['space', 'isSpace', 'blank', 'ws1', 'gap', 'white'],
  inside: ['inside', 'inWord', 'reading', 'within', 'open', 'mid'],
  m: ['counts', 'freq', 'tally1', 'seen', 'hist', 'occurrences'],
  tab: ['table', 'dict', 'bag', 'index', 'lookup', 'map1'],
  best: ['best', 'winner', 'top', 'leader', 'champ', 'pickd'],
  most: ['most', 'bestCount', 'maxN', 'highest', 'peak', 'topN'],
  k: ['cnt', 'howMany', 'freq1', 'nTimes', 'seenN', 'hits'],
  ranked: ['ranked', 'sorted', 'ordered', 'byCount', 'list', 'ranking'],
  ws: ['words', 'toks', 'parts', 'pieces', 'all', 'arr'],
  keys: ['keys', 'names', 'uniq', 'distinct', 'vocab', 'lexicon'],
  lower: ['lower', 'lc', 'folded', 'small', 'normal', 'down'],
  re: ['re', 'pattern', 'rx', 'wordRe', 'nonSpace', 'matcher'],
  order: ['order', 'byFreq', 'rank', 'ordering', 'lineup', 'podium'],
  raw: ['raw', 'chunk', 'part', 'bit', 'frag', 'seg'],
  tied: ['tied', 'ties', 'equal', 'contenders', 'tops', 'same'],
  old: ['old', 'bestSoFar', 'prevN', 'cur', 'keepN', 'beat'],
  hit: ['hit', 'found', 'existing', 'row', 'match', 'rec'],
  line: ['line1', 'l', 'ln', 'row1', 'one', 'each'],
};
/** What learners write above their code (or nothing): a few sets of phrasings, one line per part. */
type Part = 'class' | 'add' | 'total' | 'echo' | 'count' | 'top' | 'tally';
const COMMENTS: Array<Record<Part, string>> = [
  {
    class: '// keeps the running sum',
    add: '// adds and remembers',
    total: '// what has been added so far',
    echo: '// copies the bytes',
    count: '// word count',
    top: '// most frequent word',
    tally: '// a little counter',
  },
  {
    class: '// TODO: tidy up',
    add: '// adds two numbers',
    total: '// total of everything added',
    echo: '// returns a copy',
    count: '// counts non-empty words',
    top: '// lowercase, alphabetical on ties',
    tally: '// counts per word',
  },
  {
    class: '/* the calculator */',
    add: '/* sum of both operands */',
    total: '/* all additions so far */',
    echo: '/* byte copy */',
    count: '/* how many words */',
    top: '/* the winner */',
    tally: '/* tally of words */',
  },
  {
    class: '// Calculator for lab 1',
    add: '// add a and b, remember the sum',
    total: '// running total',
    echo: '// echo',
    count: '// split on whitespace',
    top: '// count, then pick',
    tally: '// Tally class',
  },
];

export interface Style {
  indent: string;
  /** Opening braces of declarations and blocks on their own line. */
  allman: boolean;
  /** Blank lines between members. */
  spaced: boolean;
  /** Which comment set, or -1 for none. */
  comments: number;
  header: string;
}

function chooseNames(rng: Rng, avoid?: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, pool] of Object.entries(NAMES)) {
    const choices = avoid ? pool.filter((n) => n !== avoid[k]) : pool;
    out[k] = pick(rng, choices);
  }
  return out;
}

function fill(code: string, names: Record<string, string>, hash: boolean): string {
  return code.replace(/\$([A-Za-z]\w*)/g, (m, key: string) => {
    if (key === 'F') return `${hash ? '#' : ''}${names.F}`;
    const name = names[key];
    if (!name) throw new Error(`no name pool for ${m}`);
    return name;
  });
}

function indentBlock(code: string, depth: number): string {
  if (!code) return '';
  return code
    .split('\n')
    .map((l) => (l ? '  '.repeat(depth) + l : l))
    .join('\n');
}

const BRACE_MOVABLE = /^(\s*)((export |private |async )*(class |function |constructor\(|for \(|while \(|if \()|[A-Za-z]\w*\([^=]*\)(: [^=]+)? \{$)/;

/** Layout only: the token stream stays the same. */
function layout(code: string, style: Style): string {
  const lines = code.split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const m = /^( *)(.*)$/.exec(line)!;
    const depth = m[1]!.length / 2;
    let text = m[2]!;
    const lead = style.indent.repeat(depth);
    if (style.allman && text.endsWith(' {') && BRACE_MOVABLE.test(text) && !text.startsWith('return') && !text.includes('=>')) {
      out.push(lead + text.slice(0, -2), `${lead}{`);
      continue;
    }
    if (!style.spaced && text === '') continue;
    text = lead + text;
    out.push(text);
  }
  return `${style.header}${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

function comment(style: Style, part: Part, depth: number): string {
  if (style.comments < 0) return '';
  return `${'  '.repeat(depth)}${COMMENTS[style.comments]![part]}\n`;
}

// ---- an implementation: the choices a learner made -----------------------------------------------------------------

export interface CalcChoice {
  family: number;
  decl: number;
  add: number;
  total: number;
  guard: number;
  echo: number;
  totalFirst: boolean;
  echoFirst: boolean;
  /** Mistakes. */
  abs: boolean;
  totalZero: boolean;
  echoBug?: number;
  /** A line that does not parse. */
  syntaxError: boolean;
}

export interface WordsChoice {
  count: number;
  /** topWord: a counting step and a picking step, or (pick < 0) TOP_WHOLE[count]. */
  top: { count: number; pick: number };
  tally: number;
  order: number[];
  countFirst: boolean;
  countBug?: number;
  topCase: boolean;
  tallyBug?: number;
  /** Hands in the stub as it came. */
  stub: boolean;
  /** No words file at all. */
  missing: boolean;
}

export function renderCalc(c: CalcChoice, names: Record<string, string>, style: Style): string {
  const fam = CALC_FAMILIES[c.family]!;
  const decl = fam.decl[c.decl]!;
  const hash = decl.hash === true;
  const guard = c.abs ? CALC_ABS : CALC_GUARDS[c.guard]!;
  const addBody = [guard.code, fam.add[c.add]!.code].filter(Boolean).join('\n');
  const totalBody = c.totalZero ? CALC_TOTAL_ZERO.code : fam.total[c.total]!.code;
  const add = `${comment(style, 'add', 1)}  add($a: number, $b: number): number {\n${indentBlock(addBody, 2)}\n  }`;
  const total = `${comment(style, 'total', 1)}  total(): number {\n${indentBlock(totalBody, 2)}\n  }`;
  const members = c.totalFirst ? [total, add] : [add, total];
  const cls = `${comment(style, 'class', 0)}export class Calculator {\n${indentBlock(decl.code, 1)}\n\n${members.join('\n\n')}\n}`;
  const echoBody = c.echoBug !== undefined ? ECHO_BUGS[c.echoBug]!.code : ECHO[c.echo]!.code;
  const echo = `${comment(style, 'echo', 0)}export function echoBytes($bytes: Uint8Array): Uint8Array {\n${indentBlock(echoBody, 1)}\n}`;
  let code = (c.echoFirst ? [echo, cls] : [cls, echo]).join('\n\n');
  if (c.syntaxError) code = code.replace(/\n\}$/, '\n  const = ;\n}');
  return layout(fill(code, names, hash), style);
}

export function renderWords(c: WordsChoice, names: Record<string, string>, style: Style, stubText: string): string | undefined {
  if (c.missing) return undefined;
  if (c.stub) return stubText;
  const countBody = c.countBug !== undefined ? COUNT_WORDS_BUGS[c.countBug]!.code : COUNT_WORDS[c.count]!.code;
  let topBody = c.top.pick < 0 ? TOP_WHOLE[c.top.count]!.code : `${TOP_COUNT[c.top.count]!.code}\n${TOP_PICK[c.top.pick]!.code}`;
  if (c.topCase) topBody = topBody.replace(/\n?\s*\.toLowerCase\(\)/, '');
  const tally = c.tallyBug !== undefined ? TALLY_BUGS[c.tallyBug]! : TALLY[c.tally]!;
  const parts = [
    `${comment(style, 'count', 0)}export function countWords($text: string): number {\n${indentBlock(countBody, 1)}\n}`,
    `${comment(style, 'top', 0)}export function topWord($text: string): string | null {\n${indentBlock(topBody, 1)}\n}`,
    (() => {
      const add = `  add($w: string): void {\n${indentBlock(tally.add, 2)}\n  }`;
      const count = `  count($w: string): number {\n${indentBlock(tally.count, 2)}\n  }`;
      return `${comment(style, 'tally', 0)}export class Tally {\n${indentBlock(tally.decl, 1)}\n\n${(c.countFirst ? [count, add] : [add, count]).join('\n\n')}\n}`;
    })(),
  ];
  return layout(fill(c.order.map((i) => parts[i]!).join('\n\n'), names, false), style);
}

const CALC_MISTAKES = ['abs', 'totalZero', 'echo'] as const;
const WORDS_MISTAKES = ['count', 'top', 'tally'] as const;
const MISTAKES = [...CALC_MISTAKES, ...WORDS_MISTAKES] as const;

/** The tests an implementation fails (visible and instructor-only). */
export function calcFails(c: CalcChoice): string[] {
  if (c.syntaxError) return [...CALC_ALL];
  const out = new Set<string>();
  if (c.abs) for (const f of CALC_ABS.fails!) out.add(f);
  if (c.totalZero) for (const f of CALC_TOTAL_ZERO.fails!) out.add(f);
  if (c.echoBug !== undefined) for (const f of ECHO_BUGS[c.echoBug]!.fails!) out.add(f);
  return [...out];
}

export function wordsFails(c: WordsChoice): string[] {
  if (c.stub || c.missing) return [...WORDS_ALL];
  const out = new Set<string>();
  if (c.countBug !== undefined) for (const f of COUNT_WORDS_BUGS[c.countBug]!.fails!) out.add(f);
  if (c.topCase) for (const f of TOP_WORD_CASE_BUG.fails) out.add(f);
  if (c.tallyBug !== undefined) for (const f of TALLY_BUGS[c.tallyBug]!.fails!) out.add(f);
  return [...out];
}

// ---- the class ------------------------------------------------------------------------------------------------------

export type Timing =
  | 'on time'
  | 'at the deadline'
  | '1 s late'
  | 'late 1 day'
  | 'late 2 days'
  | 'exactly 3 days late'
  | 'beyond the cap'
  | 'extended, on time'
  | 'extended, still late'
  | 'late commit after an on-time one';

export type Role = 'honest' | 'copy' | 'renamed copy' | 'not in the roster';

export interface Learner {
  username: string;
  /** The entry in the submissions folder (GitHub Classroom: "<assignment>-<username>"). */
  folder: string;
  role: Role;
  /** For copies: whose work. */
  source?: string;
  quality: 'correct' | 'partial' | 'failing';
  calc: CalcChoice;
  words: WordsChoice;
  names: Record<string, string>;
  style: Style;
  /** The files in the repository (course layout). */
  files: Record<string, string>;
  /** Commit times, oldest first (the last one is HEAD). */
  commits: string[];
  timing: Timing;
}

export interface RosterRow {
  submission: string;
  name: string;
  first: string;
  last: string;
  lmsId: string;
  sisUserId: string;
  sisLoginId: string;
  email: string;
  section: string;
  extension: string;
  /** The submission folder it stands for, or undefined when the learner handed nothing in. */
  folder?: string;
}

export interface ClassPlan {
  seed: number;
  /** How many draws ran out of different implementations before this one. */
  attempt: number;
  assignment: string;
  deadline: string;
  learners: Learner[];
  roster: RosterRow[];
  /** Submission-less roster rows whose (extended) deadline is still ahead: left blank, not 0. */
  ahead: string[];
}

const FIRST = [
  'Ada',
  'Bo',
  'Cyd',
  'Dee',
  'Eli',
  'Fen',
  'Gia',
  'Hux',
  'Ina',
  'Jo',
  'Kai',
  'Lu',
  'Mo',
  'Nia',
  'Oto',
  'Pia',
  'Quin',
  'Rae',
  'Sol',
  'Tam',
  'Uma',
  'Vik',
  'Wen',
  'Xia',
  'Yul',
  'Zoe',
  'Abe',
  'Bea',
  'Cal',
  'Dot',
  'Eve',
  'Fay',
];
const LAST = [
  'Archer',
  'Baker',
  'Cole',
  'Dunn',
  'Evans',
  'Ford',
  'Gray',
  'Hill',
  'Ives',
  'Jones',
  'Kerr',
  'Lund',
  'Moss',
  'Nash',
  'Oakes',
  'Park',
  'Quill',
  'Reed',
  'Shaw',
  'Tate',
  'Underhill',
  'Vance',
  'Webb',
  'Xu',
  'Young',
  'Zhang',
  'Abbott',
  'Bishop',
  'Chu',
  'Drake',
  'Ellis',
  'Frost',
];

const DEADLINE_MS = Date.parse('2026-03-01T23:59:00Z');
const H = 3_600_000;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The passages of a file: every run of PASSAGE tokens, crudely normalised (comments and layout dropped, names as
 * I, strings as S, keywords and punctuation kept). A view of its own, simpler than the similarity engine's (no
 * winnowing, another tokeniser, another length), used only to keep honest learners' code apart.
 */
export function passages(code: string, stub: Set<string> = new Set()): Set<string> {
  const text = code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  const tokens = (text.match(/[A-Za-z_$#][\w$]*|\d+|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|\/(?:[^/\\\n]|\\.)+\/[gimsuy]*|[^\s\w]/g) ?? []).map((t) =>
    KEYWORDS.has(t) ? t : /^[A-Za-z_$#]/.test(t) ? 'I' : /^['`]/.test(t) ? 'S' : t,
  );
  const out = new Set<string>();
  for (let i = 0; i + PASSAGE <= tokens.length; i++) {
    const run = tokens.slice(i, i + PASSAGE).join(' ');
    if (!stub.has(run)) out.add(run);
  }
  return out;
}

const PASSAGE = 8;
const KEYWORDS = new Set([
  'const',
  'let',
  'for',
  'of',
  'if',
  'else',
  'return',
  'while',
  'new',
  'this',
  'private',
  'readonly',
  'export',
  'class',
  'function',
  'throw',
  'typeof',
  'continue',
  'number',
  'string',
  'void',
  'null',
  'constructor',
  'true',
  'false',
]);

/** The share of the smaller file's passages that the other file has too. */
export function sharedShare(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / Math.min(a.size, b.size);
}

/**
 * Most of its passages an honest file may share with another honest file. Calibrated once against the similarity
 * engine on freely drawn classes (see the report of the change that added this file).
 */
export const MAX_SHARED = { calc: 0.4, words: 0.4 };

/** Draws until the implementation shares at most `maxShared` of its passages with every accepted one. */
function independent<C>(draw: () => C, render: (c: C) => string, stub: Set<string>, maxShared: number, accepted: Array<Set<string>>, what: string): C {
  for (let tries = 0; tries < 3000; tries++) {
    const c = draw();
    const mine = passages(render(c), stub);
    if (accepted.some((other) => sharedShare(mine, other) > maxShared)) continue;
    accepted.push(mine);
    return c;
  }
  throw new OutOfImplementations(`${what}: no implementation left that differs enough from the others'`);
}

/**
 * The class: 24 roster learners with a git submission, 6 roster learners with none (one of them with an
 * extension far ahead), and one submission nobody in the roster made.
 */
export function generateClass(seed: number, stubs: { calc: string; words: string }): ClassPlan {
  // When the draws run out of implementations different enough from the others, the class is drawn again from
  // the next stream of the same seed.
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      return drawClass(seed, attempt, stubs);
    } catch (err) {
      if (!(err instanceof OutOfImplementations)) throw err;
    }
  }
  throw new Error(`seed ${seed}: no class drawn in 20 attempts`);
}

class OutOfImplementations extends Error {}

function drawClass(seed: number, attempt: number, stubs: { calc: string; words: string }): ClassPlan {
  const rng = prng(seed * 1000 + attempt);
  const people = shuffle(
    rng,
    FIRST.map((f, i) => ({ first: f, last: LAST[i]! })),
  ).slice(0, 31);
  const assignment = 'lab1';

  const drawCalc = (): CalcChoice => {
    const family = Math.floor(rng() * CALC_FAMILIES.length);
    const fam = CALC_FAMILIES[family]!;
    return {
      family,
      decl: Math.floor(rng() * fam.decl.length),
      add: Math.floor(rng() * fam.add.length),
      total: Math.floor(rng() * fam.total.length),
      guard: Math.floor(rng() * CALC_GUARDS.length),
      echo: Math.floor(rng() * ECHO.length),
      totalFirst: rng() < 0.3,
      echoFirst: rng() < 0.2,
      abs: false,
      totalZero: false,
      syntaxError: false,
    };
  };
  const drawWords = (): WordsChoice => ({
    count: Math.floor(rng() * COUNT_WORDS.length),
    top:
      rng() < 0.15
        ? { count: Math.floor(rng() * TOP_WHOLE.length), pick: -1 }
        : { count: Math.floor(rng() * TOP_COUNT.length), pick: Math.floor(rng() * TOP_PICK.length) },
    tally: Math.floor(rng() * TALLY.length),
    order: shuffle(rng, [0, 1, 2]),
    countFirst: rng() < 0.3,
    topCase: false,
    stub: false,
    missing: false,
  });
  const styleOf = (r: Rng, not?: Style): Style => {
    const indents = ['  ', '    ', '\t'].filter((i) => i !== not?.indent);
    return {
      indent: pick(r, indents),
      allman: not ? !not.allman : r() < 0.25,
      spaced: not ? !not.spaced : r() < 0.7,
      comments: not ? ((not.comments + 2 + Math.floor(r() * 4)) % 5) - 1 : Math.floor(r() * 5) - 1,
      header: '',
    };
  };

  // Who does what. Index 0..23 are the roster learners who hand something in, 24 is the one not in the roster.
  const timings: Timing[] = shuffle(rng, [
    'on time',
    'on time',
    'on time',
    'on time',
    'on time',
    'on time',
    'on time',
    'on time',
    'on time',
    'on time',
    'at the deadline',
    '1 s late',
    'late 1 day',
    'late 1 day',
    'late 2 days',
    'exactly 3 days late',
    'beyond the cap',
    'beyond the cap',
    'extended, on time',
    'extended, on time',
    'extended, on time',
    'extended, still late',
    'late commit after an on-time one',
    'late 2 days',
  ]);
  const qualities: Array<Learner['quality']> = shuffle(rng, [
    ...Array<Learner['quality']>(11).fill('correct'),
    ...Array<Learner['quality']>(9).fill('partial'),
    ...Array<Learner['quality']>(4).fill('failing'),
  ]);
  // The copies copy correct work (what is worth copying): one hands in another's repository byte for byte,
  // one renames, re-comments and re-lays-out someone else's code.
  const correctIdx = shuffle(
    rng,
    qualities.map((q, i) => (q === 'correct' ? i : -1)).filter((i) => i >= 0),
  );
  const [originIdx, identicalIdx, renamedOriginIdx, renamedIdx] = correctIdx as [number, number, number, number];

  // Partly done work has one or two mistakes in different exercises, and every kind of mistake is made by
  // someone; failing work has nothing that works in one exercise (a calc that does not parse, the words stub handed
  // in as it came, or no words at all; each at least once) and a mistake in the other.
  const partialMistakes = [...shuffle(rng, MISTAKES), ...shuffle(rng, MISTAKES)];
  const failingKinds = shuffle(rng, ['syntax', 'stub', 'missing', pick(rng, ['syntax', 'stub', 'missing'] as const)] as const);
  let partialCount = 0;
  let failingCount = 0;
  const learners: Learner[] = [];
  const extensions = new Map<string, string>();
  const acceptedCalc: Array<Set<string>> = [];
  const acceptedWords: Array<Set<string>> = [];
  const stubPassages = { calc: passages(stubs.calc), words: passages(stubs.words) };
  for (let i = 0; i < 25; i++) {
    const p = people[i]!;
    const username = `${p.first.toLowerCase()}${p.last.toLowerCase().slice(0, 3)}`;
    const quality = i === 24 ? 'correct' : qualities[i]!;
    const role: Role = i === 24 ? 'not in the roster' : i === identicalIdx ? 'copy' : i === renamedIdx ? 'renamed copy' : 'honest';
    // Mistakes first, then the code.
    const calcMistakes: Partial<CalcChoice> = {};
    const wordsMistakes: Partial<WordsChoice> = {};
    const mistake = (m: (typeof MISTAKES)[number]) => {
      if (m === 'abs') calcMistakes.abs = true;
      else if (m === 'totalZero') calcMistakes.totalZero = true;
      else if (m === 'echo') calcMistakes.echoBug = Math.floor(rng() * ECHO_BUGS.length);
      else if (m === 'count') wordsMistakes.countBug = Math.floor(rng() * COUNT_WORDS_BUGS.length);
      else if (m === 'top') wordsMistakes.topCase = true;
      else wordsMistakes.tallyBug = Math.floor(rng() * TALLY_BUGS.length);
    };
    if (quality === 'partial') {
      const first = partialMistakes[partialCount++]!;
      mistake(first);
      if (rng() < 0.4) mistake(pick(rng, (CALC_MISTAKES as readonly string[]).includes(first) ? WORDS_MISTAKES : CALC_MISTAKES));
    } else if (quality === 'failing') {
      const how = failingKinds[failingCount++]!;
      if (how === 'syntax') {
        calcMistakes.syntaxError = true;
        wordsMistakes.topCase = true;
      } else {
        wordsMistakes.stub = how === 'stub';
        wordsMistakes.missing = how === 'missing';
        mistake(pick(rng, CALC_MISTAKES));
      }
    }
    const style = styleOf(rng);
    style.header = rng() < 0.5 ? `// ${assignment}: ${p.first} ${p.last}\n` : '';
    const learner: Learner = {
      username,
      folder: `${assignment}-${username}`,
      role,
      quality,
      calc: drawCalc(),
      words: drawWords(),
      names: chooseNames(rng),
      style,
      files: {},
      commits: [],
      timing: i === 24 ? 'on time' : timings[i]!,
    };
    // Honest work is drawn again until it shares few passages with every honest learner's before it (see the
    // top of this file); copies are made below, from their sources.
    if (role === 'honest' || role === 'not in the roster') {
      learner.calc = independent(
        () => ({ ...drawCalc(), ...calcMistakes }),
        (c) => renderCalc(c, learner.names, style),
        stubPassages.calc,
        MAX_SHARED.calc,
        acceptedCalc,
        `calc of ${username}`,
      );
      learner.words = independent(
        () => ({ ...drawWords(), ...wordsMistakes }),
        (c) => renderWords(c, learner.names, style, stubs.words) ?? '',
        stubPassages.words,
        MAX_SHARED.words,
        acceptedWords,
        `words of ${username}`,
      );
    }
    learners.push(learner);
  }

  const origin = learners[originIdx]!;
  const identical = learners[identicalIdx]!;
  const renamedOrigin = learners[renamedOriginIdx]!;
  const renamed = learners[renamedIdx]!;
  identical.source = origin.username;
  identical.calc = origin.calc;
  identical.words = origin.words;
  renamed.source = renamedOrigin.username;
  renamed.calc = renamedOrigin.calc;
  renamed.words = renamedOrigin.words;
  renamed.names = chooseNames(rng, renamedOrigin.names);
  renamed.style = styleOf(rng, renamedOrigin.style);
  renamed.style.header = '// all my own work\n';

  for (const l of learners) {
    const calcText = renderCalc(l.calc, l.names, l.style);
    const wordsText = renderWords(l.words, l.names, l.style, stubs.words);
    l.files = {
      'exercises/01-calc/calc.ts': calcText,
      ...(wordsText !== undefined ? { 'exercises/02-words/words.ts': wordsText } : {}),
      'README.md': `# ${l.username}\n`,
    };
  }
  // A byte-identical copy (the README too).
  identical.files = { ...origin.files };

  // Submission times; extensions go into the roster.
  const jitter = () => Math.floor(rng() * 50) * 60_000;
  for (const l of learners) {
    let at: number;
    const before: number[] = [];
    switch (l.timing) {
      case 'on time':
        at = DEADLINE_MS - 2 * H - jitter() - Math.floor(rng() * 5) * D;
        break;
      case 'at the deadline':
        at = DEADLINE_MS;
        break;
      case '1 s late':
        at = DEADLINE_MS + 1000;
        break;
      case 'late 1 day':
        at = DEADLINE_MS + 3 * H + jitter();
        break;
      case 'late 2 days':
        at = DEADLINE_MS + D + 5 * H + jitter();
        break;
      case 'exactly 3 days late':
        at = DEADLINE_MS + 3 * D;
        break;
      case 'beyond the cap':
        at = DEADLINE_MS + 3 * D + 60_000 + jitter() * Math.floor(rng() * 3);
        break;
      case 'extended, on time': {
        const ext = pick(rng, ['2d', '3', '36h', 'iso'] as const);
        const extMs = ext === '2d' ? 2 * D : ext === '3' ? 3 * D : ext === '36h' ? 36 * H : 4 * D;
        extensions.set(l.username, ext === 'iso' ? iso(DEADLINE_MS + extMs) : ext);
        at = DEADLINE_MS + extMs - H - jitter();
        break;
      }
      case 'extended, still late':
        extensions.set(l.username, '1d');
        at = DEADLINE_MS + D + 30 * 60_000 + jitter(); // late for the extended deadline too: 1 day
        break;
      case 'late commit after an on-time one':
        before.push(DEADLINE_MS - 5 * H);
        at = DEADLINE_MS + 2 * H + jitter();
        break;
    }
    l.commits = [...before.map(iso), iso(at)];
  }

  // The roster: 30 rows. The 24 learners who handed in (one without an email address), 6 who did not.
  const roster: RosterRow[] = [];
  const rowOf = (p: { first: string; last: string }, username: string, n: number, folder?: string): RosterRow => ({
    submission: username,
    name: `${p.last}, ${p.first}`,
    first: p.first,
    last: p.last,
    lmsId: String(1000 + n),
    sisUserId: `S${2000 + n}`,
    sisLoginId: username,
    email: `${username}@example.edu`,
    section: n % 2 ? 'Section A' : 'Section B',
    extension: extensions.get(username) ?? '',
    folder,
  });
  learners.slice(0, 24).forEach((l, i) => roster.push(rowOf(people[i]!, l.username, i, l.folder)));
  // Some rosters name the folder itself, some the username in another case.
  roster[3]!.submission = learners[3]!.folder;
  roster[5]!.submission = learners[5]!.username.toUpperCase();
  roster[7]!.email = '';
  const missingPeople = [...people.slice(25, 31)];
  const ahead: string[] = [];
  missingPeople.forEach((p, i) => {
    const username = `${p.first.toLowerCase()}${p.last.toLowerCase().slice(0, 3)}`;
    const row = rowOf(p, username, 24 + i);
    if (i === 0) {
      row.extension = '1000d';
      ahead.push(username);
    }
    roster.push(row);
  });
  return { seed, attempt, assignment, deadline: iso(DEADLINE_MS), learners, roster: shuffle(rng, roster), ahead };
}

// ---- what grading must give ---------------------------------------------------------------------------------------

export const POINTS = { calc: 10, words: 20 };

export interface Expected {
  calcPassed: number;
  calcHiddenPassed: number;
  wordsPassed: number;
  calcStatus: string;
  wordsStatus: string;
  /** Points before the deduction. */
  points: number;
  /** Days deducted (10% each), or 'zero' beyond the cap. */
  lateDays: number | 'zero';
  penaltyPercent: number;
  finalPoints: number;
  deadline: string;
  lateMs: number;
}

/** Expected from the plan alone: the tests each choice fails, the points per test, the deadline and extension. */
export function expectedFor(l: Learner, row: RosterRow | undefined, deadline: string): Expected {
  const cf = new Set(calcFails(l.calc));
  const wf = new Set(wordsFails(l.words));
  const calcPassed = CALC_ALL.filter((t) => !cf.has(t)).length;
  const calcHiddenPassed = CALC_HIDDEN.filter((t) => !cf.has(t)).length;
  const wordsPassed = l.words.missing ? 0 : WORDS_ALL.filter((t) => !wf.has(t)).length;
  // calc: 10 points over its 5 tests (3 visible, 2 instructor-only); words: 20 over 4.
  const points = (calcPassed * POINTS.calc) / CALC_ALL.length + (wordsPassed * POINTS.words) / WORDS_ALL.length;
  let due = Date.parse(deadline);
  const ext = row?.extension ?? '';
  if (/^\d+d$/.test(ext)) due += Number(ext.slice(0, -1)) * D;
  else if (/^\d+h$/.test(ext)) due += Number(ext.slice(0, -1)) * H;
  else if (/^\d+$/.test(ext)) due += Number(ext) * D;
  else if (ext) due = Date.parse(ext);
  const at = Date.parse(l.commits[l.commits.length - 1]!);
  const lateMs = Math.max(0, at - due);
  const lateDays: number | 'zero' = lateMs === 0 ? 0 : lateMs > 3 * D ? 'zero' : Math.ceil(lateMs / D);
  const tenths = lateDays === 'zero' ? 10 : lateDays;
  // In tenths of a point, so the expected value is exact.
  const finalPoints = (points * 10 * (10 - tenths)) / 100;
  return {
    calcPassed,
    calcHiddenPassed,
    wordsPassed,
    calcStatus: l.calc.syntaxError ? 'compile-error' : cf.size ? 'failed' : 'passed',
    // The words stub handed in as it came is "not started" (nothing of the learner's to run).
    wordsStatus: l.words.missing ? 'not submitted' : l.words.stub ? 'not started' : wf.size ? 'failed' : 'passed',
    points,
    lateDays,
    penaltyPercent: tenths * 10,
    finalPoints,
    deadline: new Date(due).toISOString(),
    lateMs,
  };
}
