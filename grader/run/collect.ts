// Collects what the trusted jest process streams during one run (worker-protocol.ts) into the plain facts the
// verdict is decided from (verdict.ts), and passes progress on as RunEvents (the watch screen, the terminal).
// Everything here may have been shaped by the code under test: texts are cut and lists capped on arrival.
// Requirement tags (`{R1.3}`) leave the names here: every reporter sees the untagged names and a test's ids in
// `requirements` (requirement-tags.ts).

import { anomalyText, type AnomalyKind } from '../../harness/sandbox/contract';
import { parseTags, untaggedNames } from '../course/requirement-tags';
import type { JobOutcome } from './jest-process';
import { acceptEvidence, EVIDENCE_PER_TEST, type Evidence } from './evidence';
import { OUTPUT_PER_RUN, OUTPUT_PER_TEST } from './learner-output';
import { specOf, type LearnerOutput, type TestResult } from './result';
import type { RunFacts, SandboxTally } from './verdict';
import type { ExpectedTest, FromWorker } from './worker-protocol';

export type RunEvent =
  | { type: 'phase'; phase: 'compiling' | 'testing' | 'type-checking' }
  | { type: 'test-start'; fullName: string }
  | { type: 'test-result'; test: TestResult }
  | { type: 'expected'; count: number };

export class RunCollector {
  private expected: ExpectedTest[] | undefined;
  private readonly results: TestResult[] = [];
  private running: string | undefined;
  private suiteError: string | undefined;
  /** The anomalies' sentences for the result (at most 20, each once). */
  readonly anomalies: string[] = [];
  private readonly anomalyKinds = new Set<AnomalyKind>();
  private readonly sandbox: SandboxTally = { loaded: 0, loadErrors: [], machinery: [], protocol: [] };
  /** The learner's own output per test (capped again here: the caps hold whatever the jest process sends). */
  private readonly output = new Map<string, LearnerOutput>();
  private outputKept = 0;
  /** The structured evidence of the test running now (arrives before its result; evidence.ts checks it). */
  private readonly evidence = new Map<string, Evidence[]>();

  constructor(private readonly emit: (event: RunEvent) => void) {}

  receive(message: FromWorker): void {
    switch (message.type) {
      case 'tests':
        this.expected = message.tests.map((t) => untaggedNames(t.group, t.title));
        this.emit({ type: 'expected', count: message.tests.length });
        return;
      case 'test-start':
        this.running = parseTags(message.fullName).name;
        this.emit({ type: 'test-start', fullName: this.running });
        return;
      case 'test-result': {
        if (message.status === 'skipped') return;
        this.running = undefined;
        const { status, durationMs } = message;
        const { fullName, group, title, requirements } = untaggedNames(message.group, message.title);
        const evidence = this.evidence.get(fullName);
        this.evidence.delete(fullName);
        const test: TestResult = {
          fullName,
          group,
          title,
          requirements,
          status,
          message: message.message,
          durationMs,
          spec: specOf(title),
          score: status === 'passed' ? 1 : 0,
          maxScore: 1,
          ...(evidence && status !== 'passed' ? { evidence } : {}),
        };
        this.results.push(test);
        this.emit({ type: 'test-result', test });
        return;
      }
      case 'evidence': {
        const accepted = acceptEvidence(message.evidence);
        const list = this.evidence.get(String(message.fullName)) ?? [];
        if (accepted && list.length < EVIDENCE_PER_TEST && this.evidence.size < 100) this.evidence.set(String(message.fullName), [...list, accepted]);
        return;
      }
      case 'suite-error':
        this.suiteError = message.message;
        return;
      case 'anomaly': {
        this.anomalyKinds.add(message.anomaly.kind);
        const text = anomalyText(message.anomaly).slice(0, 1000);
        if (this.anomalies.length < 20 && !this.anomalies.includes(text)) this.anomalies.push(text);
        return;
      }
      case 'output': {
        const entry = this.output.get(message.fullName) ?? { text: '', dropped: 0 };
        if (!this.output.has(message.fullName) && this.output.size >= 10_000) return;
        const text = String(message.text);
        const room = Math.max(0, Math.min(OUTPUT_PER_TEST - entry.text.length, OUTPUT_PER_RUN - this.outputKept));
        entry.text += text.slice(0, room);
        entry.dropped += Math.max(0, Math.floor(Number(message.dropped)) || 0) + Math.max(0, text.length - room);
        this.outputKept += Math.min(room, text.length);
        this.output.set(message.fullName, entry);
        return;
      }
      case 'sandbox': {
        if (message.kind === 'loaded') return void this.sandbox.loaded++;
        const detail = String(message.detail).slice(0, 4000);
        const list = message.kind === 'load-error' ? this.sandbox.loadErrors : message.kind === 'machinery' ? this.sandbox.machinery : this.sandbox.protocol;
        if (list.length < 5 && !list.includes(detail)) list.push(detail);
        return;
      }
      default:
        return;
    }
  }

  /** The tests with the output the code under test printed during each (where it printed any). */
  withOutput(tests: TestResult[]): TestResult[] {
    return tests.map((t) => {
      const output = this.output.get(t.fullName);
      return output && (output.text || output.dropped) ? { ...t, output: { ...output } } : t;
    });
  }

  /** The facts of the run, once the job has ended. */
  facts(outcome: JobOutcome, timeoutMs: number, failFast: boolean): RunFacts {
    return {
      expected: this.expected,
      results: [...this.results],
      running: this.running,
      suiteError: this.suiteError,
      anomalyKinds: [...this.anomalyKinds],
      sandbox: this.sandbox,
      end: outcome.end,
      endDetail: outcome.detail,
      timeoutMs,
      failFast,
    };
  }
}
