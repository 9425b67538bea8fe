// Similarity between submissions of one exercise, as MOSS does it (Schleimer, Wilkerson, Aiken: "Winnowing: local
// algorithms for document fingerprinting", SIGMOD 2003):
//
// 1. Normalise: the TypeScript scanner turns the code into tokens; comments and whitespace are dropped,
//    identifiers become one placeholder, string and template literals another, numbers keep their value, every
//    keyword and punctuator stays. A copy with renamed variables, re-indented and re-commented, gives the same
//    stream.
// 2. Hash every k-gram of tokens, and winnow: in every window of w consecutive hashes keep the smallest (the
//    rightmost one on ties). Any match of at least w + k - 1 tokens is guaranteed to share a fingerprint.
// 3. Leave out fingerprints of the starter code (everyone has it) and fingerprints so common in the class that
//    they say nothing (idioms every solution of this API has; MOSS's -m).
// 4. Score a pair by the share of the smaller submission's fingerprints the other one also has, and turn the
//    matching fingerprints back into line ranges of both files (the fragments shown side by side).
//
// A hint for a human reading report.html, never a grade change.

import ts from 'typescript';

export interface SimilarityOptions {
  /** Tokens per k-gram (noise threshold). */
  k?: number;
  /** Window size (a match of w + k - 1 tokens is always found). */
  w?: number;
  /** A pair is flagged at or above this score (0..1). */
  threshold?: number;
  /** ... and only with at least this many shared fingerprints. */
  minShared?: number;
  /** Fingerprints found in more than this many submissions are ignored (default max(10, n/10), as MOSS -m 10). */
  maxCommon?: number;
}

export const DEFAULTS = { k: 12, w: 8, threshold: 0.6, minShared: 8 };

export interface Token {
  /** The normalised token. */
  text: string;
  file: string;
  line: number;
}

export interface Fingerprint {
  hash: number;
  /** Index of the k-gram's first token. */
  at: number;
}

export interface Document {
  id: string;
  /** file name → source. */
  files: Record<string, string>;
  tokens: Token[];
  fingerprints: Fingerprint[];
}

/** The normalised tokens of a set of files (in file-name order). */
export function tokenize(files: Record<string, string>): Token[] {
  const out: Token[] = [];
  for (const file of Object.keys(files).sort()) {
    const text = files[file]!;
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const lineOf = (pos: number) => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid]! <= pos) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    };
    const namedLikeKeywords = identifiersNamedLikeKeywords(file, text);
    let previous: ts.SyntaxKind = ts.SyntaxKind.Unknown;
    for (let guard = 0; guard < 2_000_000; guard++) {
      let kind = scanner.scan();
      if (kind === ts.SyntaxKind.EndOfFileToken) break;
      if (namedLikeKeywords.has(scanner.getTokenStart())) kind = ts.SyntaxKind.Identifier;
      // A slash where an expression starts is a regular expression literal, not a division.
      if ((kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) && regexMayStart(previous)) kind = scanner.reScanSlashToken();
      // The rest of a template literal after `${ ... }`.
      if (kind === ts.SyntaxKind.CloseBraceToken && text[scanner.getTokenStart()] === '}' && inTemplate(out)) {
        kind = scanner.reScanTemplateToken(false);
      }
      let normal: string;
      if (kind === ts.SyntaxKind.Identifier || kind === ts.SyntaxKind.PrivateIdentifier) normal = 'ID';
      else if (kind === ts.SyntaxKind.StringLiteral || kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) normal = 'STR';
      else if (kind === ts.SyntaxKind.TemplateHead) normal = 'TPL(';
      else if (kind === ts.SyntaxKind.TemplateMiddle) normal = 'TPL|';
      else if (kind === ts.SyntaxKind.TemplateTail) normal = 'TPL)';
      else if (kind === ts.SyntaxKind.RegularExpressionLiteral) normal = 'RE';
      else if (kind === ts.SyntaxKind.NumericLiteral || kind === ts.SyntaxKind.BigIntLiteral) normal = scanner.getTokenText();
      else if (kind === ts.SyntaxKind.Unknown) continue;
      else normal = ts.tokenToString(kind) ?? scanner.getTokenText();
      out.push({ text: normal, file, line: lineOf(scanner.getTokenStart()) });
      previous = kind;
    }
  }
  return out;
}

/**
 * Where a keyword-like name is used as an identifier: a variable called `symbol`, `type`, `of` or `out`, a
 * method called `delete` or `get`. The scanner alone reports these as keywords, so renaming a variable to one of
 * them would change the token stream; the parser tells the two uses apart.
 */
function identifiersNamedLikeKeywords(file: string, text: string): Set<number> {
  const out = new Set<number>();
  try {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) {
        if (ts.identifierToKeywordKind(node) !== undefined) out.add(node.getStart(source));
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  } catch {
    // Nesting too deep for the parser (a hostile file): the scanner's view alone.
    out.clear();
  }
  return out;
}

function regexMayStart(previous: ts.SyntaxKind): boolean {
  return !(
    previous === ts.SyntaxKind.Identifier ||
    previous === ts.SyntaxKind.NumericLiteral ||
    previous === ts.SyntaxKind.StringLiteral ||
    previous === ts.SyntaxKind.CloseParenToken ||
    previous === ts.SyntaxKind.CloseBracketToken ||
    previous === ts.SyntaxKind.CloseBraceToken ||
    previous === ts.SyntaxKind.ThisKeyword ||
    previous === ts.SyntaxKind.PlusPlusToken ||
    previous === ts.SyntaxKind.MinusMinusToken
  );
}

/**
 * Whether the tokens so far leave a template literal open (a `${` not yet closed by its `}`). Read backwards: a
 * template already closed (its `TPL)` seen first) is skipped down to its head, middles and all; otherwise every
 * `}` after a template such as `${x}\n` would be read as the rest of that template, and the whole file after it
 * would become one token (as if the code ended there).
 */
function inTemplate(tokens: Token[]): boolean {
  let depth = 0;
  let closed = 0;
  for (let i = tokens.length - 1; i >= 0 && i >= tokens.length - 400; i--) {
    const t = tokens[i]!.text;
    if (t === 'TPL)') closed++;
    else if (t === 'TPL(' || t === 'TPL|') {
      if (closed > 0) {
        if (t === 'TPL(') closed--;
      } else if (depth === 0) return true;
    } else if (closed > 0) continue;
    else if (t === '}') depth++;
    else if (t === '{') {
      if (depth === 0) return false;
      depth--;
    }
  }
  return false;
}

/** FNV-1a over the k token texts, 32 bits. */
function hashGram(tokens: Token[], at: number, k: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < at + k; i++) {
    const t = tokens[i]!.text;
    for (let j = 0; j < t.length; j++) {
      h ^= t.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Winnowing: the rightmost minimum of every window of w k-gram hashes, each selected position once. */
export function winnow(tokens: Token[], k: number, w: number): Fingerprint[] {
  const grams = tokens.length - k + 1;
  if (grams <= 0) return [];
  const hashes = Array.from({ length: grams }, (_, i) => hashGram(tokens, i, k));
  if (grams <= w) {
    let best = 0;
    for (let i = 1; i < grams; i++) if (hashes[i]! <= hashes[best]!) best = i;
    return [{ hash: hashes[best]!, at: best }];
  }
  const out: Fingerprint[] = [];
  let last = -1;
  for (let start = 0; start + w <= grams; start++) {
    let best = start;
    for (let i = start + 1; i < start + w; i++) if (hashes[i]! <= hashes[best]!) best = i;
    if (best !== last) {
      out.push({ hash: hashes[best]!, at: best });
      last = best;
    }
  }
  return out;
}

export function makeDocument(id: string, files: Record<string, string>, k = DEFAULTS.k, w = DEFAULTS.w): Document {
  const tokens = tokenize(files);
  return { id, files, tokens, fingerprints: winnow(tokens, k, w) };
}

export interface FragmentSide {
  file: string;
  fromLine: number;
  toLine: number;
  text: string;
}

export interface Fragment {
  /** Matching tokens (about). */
  tokens: number;
  a: FragmentSide;
  b: FragmentSide;
}

export interface SimilarPair {
  a: string;
  b: string;
  /** Share of the smaller fingerprint set found in the other (0..1). */
  score: number;
  /** Shares of a's and of b's fingerprints found in the other. */
  ofA: number;
  ofB: number;
  shared: number;
  identical: boolean;
  fragments: Fragment[];
}

export interface ExerciseSimilarity {
  exercise: string;
  submissions: number;
  /** Fingerprints ignored because they are in the starter code or in too many submissions. */
  ignored: { starter: number; common: number; maxCommon: number };
  settings: { k: number; w: number; threshold: number; minShared: number };
  /** Flagged pairs, highest score first. */
  pairs: SimilarPair[];
  /** The highest score of a pair that was not flagged (for calibration). */
  highestUnflagged?: { a: string; b: string; score: number };
  /** Submissions that copy the course's reference solution (absent when the course has none to compare with). */
  reference?: ReferenceMatch[];
}

function lines(text: string, from: number, to: number): string {
  const all = text.split('\n');
  const cut = all.slice(from - 1, Math.min(to, from + 59));
  if (to - from + 1 > 60) cut.push(`… (${to - from + 1 - 60} more lines)`);
  return cut.join('\n');
}

function side(doc: Document, fromToken: number, toToken: number): FragmentSide {
  const first = doc.tokens[fromToken]!;
  const last = doc.tokens[Math.min(toToken, doc.tokens.length - 1)]!;
  const toLine = last.file === first.file ? last.line : first.line;
  return { file: first.file, fromLine: first.line, toLine, text: lines(doc.files[first.file] ?? '', first.line, toLine) };
}

/** Turns the shared fingerprints into matching regions of both documents, largest first. */
function fragmentsOf(a: Document, b: Document, sharedHashes: Set<number>, k: number, w: number): Fragment[] {
  const inB = new Map<number, number[]>();
  for (const f of b.fingerprints) if (sharedHashes.has(f.hash)) inB.set(f.hash, [...(inB.get(f.hash) ?? []), f.at]);
  const matches: Array<{ a: number; b: number }> = [];
  for (const f of a.fingerprints) for (const at of inB.get(f.hash) ?? []) matches.push({ a: f.at, b: at });
  matches.sort((x, y) => x.a - y.a || x.b - y.b);
  const gap = k + w;
  const runs: Array<{ a0: number; a1: number; b0: number; b1: number; n: number }> = [];
  for (const m of matches) {
    const run = runs.find((r) => m.a >= r.a1 && m.a - r.a1 <= gap && m.b >= r.b1 && m.b - r.b1 <= gap);
    if (run) {
      run.a1 = m.a;
      run.b1 = m.b;
      run.n++;
    } else runs.push({ a0: m.a, a1: m.a, b0: m.b, b1: m.b, n: 1 });
  }
  return runs
    .filter((r) => r.n >= 2)
    .map((r) => ({ tokens: r.a1 - r.a0 + k, a: side(a, r.a0, r.a1 + k - 1), b: side(b, r.b0, r.b1 + k - 1) }))
    .sort((x, y) => y.tokens - x.tokens)
    .slice(0, 8);
}

/**
 * The flagged pairs among the submissions of one exercise. `starter` is the stub the course hands out: its
 * fingerprints (and a submission that is only the stub) count for nothing.
 */
export function compareSubmissions(
  exercise: string,
  submissions: Array<{ id: string; files: Record<string, string> }>,
  starter: Record<string, string>,
  options: SimilarityOptions = {},
): ExerciseSimilarity {
  const k = options.k ?? DEFAULTS.k;
  const w = options.w ?? DEFAULTS.w;
  const threshold = options.threshold ?? DEFAULTS.threshold;
  const minShared = options.minShared ?? DEFAULTS.minShared;
  const stub = makeDocument('(starter)', starter, k, w);
  const starterHashes = new Set(winnowAll(stub.tokens, k).map((h) => h));
  const docs = submissions.map((s) => makeDocument(s.id, s.files, k, w));
  const maxCommon = options.maxCommon ?? Math.max(10, Math.ceil(docs.length / 10));
  const frequency = new Map<number, number>();
  for (const d of docs) for (const h of new Set(d.fingerprints.map((f) => f.hash))) frequency.set(h, (frequency.get(h) ?? 0) + 1);
  let starterIgnored = 0;
  let commonIgnored = 0;
  const kept = new Map<string, Set<number>>();
  for (const d of docs) {
    const set = new Set<number>();
    for (const f of d.fingerprints) {
      if (starterHashes.has(f.hash)) starterIgnored++;
      else if ((frequency.get(f.hash) ?? 0) > maxCommon) commonIgnored++;
      else set.add(f.hash);
    }
    kept.set(d.id, set);
  }
  const pairs: SimilarPair[] = [];
  let highestUnflagged: ExerciseSimilarity['highestUnflagged'];
  for (let i = 0; i < docs.length; i++) {
    for (let j = i + 1; j < docs.length; j++) {
      const a = docs[i]!;
      const b = docs[j]!;
      const fa = kept.get(a.id)!;
      const fb = kept.get(b.id)!;
      if (!fa.size || !fb.size) continue;
      const shared = new Set([...fa].filter((h) => fb.has(h)));
      const score = shared.size / Math.min(fa.size, fb.size);
      const identical = Object.keys(a.files).length === Object.keys(b.files).length && Object.keys(a.files).every((f) => a.files[f] === b.files[f]);
      if ((score >= threshold && shared.size >= minShared) || (identical && fa.size > 0)) {
        pairs.push({
          a: a.id,
          b: b.id,
          score: round(score),
          ofA: round(shared.size / fa.size),
          ofB: round(shared.size / fb.size),
          shared: shared.size,
          identical,
          fragments: fragmentsOf(a, b, shared, k, w),
        });
      } else if (!highestUnflagged || score > highestUnflagged.score) highestUnflagged = { a: a.id, b: b.id, score: round(score) };
    }
  }
  pairs.sort((x, y) => y.score - x.score || y.shared - x.shared || (x.a + x.b < y.a + y.b ? -1 : 1));
  return {
    exercise,
    submissions: docs.length,
    ignored: { starter: starterIgnored, common: commonIgnored, maxCommon },
    settings: { k, w, threshold, minShared },
    pairs,
    highestUnflagged,
  };
}

/** Every k-gram hash (not only the winnowed ones): used for the starter code, so that none of it can match. */
function winnowAll(tokens: Token[], k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + k <= tokens.length; i++) out.push(hashGram(tokens, i, k));
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A submission that copies the course's reference solution (a finding of its own, beside the pairs). */
export interface ReferenceMatch {
  learner: string;
  /** Every graded file byte for byte the reference's. */
  identical: boolean;
  /** The same normalised token stream (a copy with other names, comments or layout). */
  sameTokens: boolean;
  /** Share of the smaller fingerprint set (starter fingerprints left out) found in the other (0..1). */
  score: number;
  shared: number;
  fragments: Fragment[];
}

/**
 * The submissions that copy the reference solution: byte for byte, token for token, or at or above the pair
 * threshold. Fingerprints of the starter code count for nothing; fingerprints common in the class still count
 * (a solution copied by many is exactly what this must find, and a common copy would otherwise hide itself).
 */
export function compareWithReference(
  submissions: Array<{ id: string; files: Record<string, string> }>,
  reference: Record<string, string>,
  starter: Record<string, string>,
  options: SimilarityOptions = {},
): ReferenceMatch[] {
  if (!Object.keys(reference).length) return [];
  const k = options.k ?? DEFAULTS.k;
  const w = options.w ?? DEFAULTS.w;
  const threshold = options.threshold ?? DEFAULTS.threshold;
  const minShared = options.minShared ?? DEFAULTS.minShared;
  const starterHashes = new Set(winnowAll(tokenize(starter), k));
  const ref = makeDocument('(reference solution)', reference, k, w);
  const refTokens = ref.tokens.map((t) => t.text).join(' ');
  const refSet = new Set(ref.fingerprints.map((f) => f.hash).filter((h) => !starterHashes.has(h)));
  const out: ReferenceMatch[] = [];
  for (const s of submissions) {
    const doc = makeDocument(s.id, s.files, k, w);
    const identical = Object.keys(reference).every((f) => s.files[f] === reference[f]) && Object.keys(s.files).every((f) => f in reference);
    const sameTokens = doc.tokens.length > 0 && doc.tokens.map((t) => t.text).join(' ') === refTokens;
    const mine = new Set(doc.fingerprints.map((f) => f.hash).filter((h) => !starterHashes.has(h)));
    const shared = new Set([...mine].filter((h) => refSet.has(h)));
    const score = mine.size && refSet.size ? shared.size / Math.min(mine.size, refSet.size) : 0;
    if (identical || sameTokens || (score >= threshold && shared.size >= minShared)) {
      out.push({
        learner: s.id,
        identical,
        sameTokens,
        score: identical || sameTokens ? 1 : round(score),
        shared: shared.size,
        fragments: fragmentsOf(doc, ref, shared, k, w),
      });
    }
  }
  return out.sort((x, y) => y.score - x.score || (x.learner < y.learner ? -1 : 1));
}
