// Jest transform for the hidden suites and harness: esbuild, transpile only. Type-checking the suites belongs to
// `npm run typecheck`, not to every learner's check (ts-jest with type-checking costs ~3 s per run; DESIGN §7).

import { createHash } from 'node:crypto';
import { transformSync, version } from 'esbuild';

interface TransformOptions {
  configString: string;
}

function process(source: string, filename: string): { code: string } {
  const result = transformSync(source, {
    loader: filename.endsWith('.ts') ? 'ts' : 'js',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: filename,
  });
  return { code: result.code };
}

function getCacheKey(source: string, filename: string, options: TransformOptions): string {
  return createHash('sha256').update(version).update('\0').update(filename).update('\0').update(source).update('\0').update(options.configString).digest('hex');
}

export = { process, getCacheKey };
