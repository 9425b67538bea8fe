// The contract between the grader (grader/run/) and the harness code that runs in its trusted jest process
// (harness/sandbox/client.ts, harness/support/): every name and shape that crosses from one to the other is here,
// typed, and both sides import it. Four channels carry it: the build manifest (sandbox.json, written by
// grader/run/build.ts), environment variables (set by grader/run/jest-worker.ts), global hooks (installed by
// grader/run/trusted-environment.ts), and the worker's IPC messages (grader/run/worker-protocol.ts).
// What the verdict decides on is a kind, never the text of a message: the text for humans is derived from the kind.

/** The manifest's file name in a build folder. */
export const MANIFEST_FILE = 'sandbox.json';

/** Written by the runner next to the compiled code: how to start the host for this build. */
export interface BuildManifest {
  /** Folder holding the host and the compiled code under test. */
  buildDir: string;
  /** Compiled host script. */
  host: string;
  /** Compiled module under test. */
  entry: string;
  /** Extra folders the code under test may read (packages such as ws or undici that the exercise provides). */
  readPaths: string[];
  /** Extra module folders to put on NODE_PATH for the code under test. */
  nodePath: string[];
  heapMb: number;
  /** Prefix the host command with these (unshare/setpriv/prlimit); empty when no layer is available. */
  wrapper: string[];
  /** The packages the exercise provides (the host checks they load before it loads the code under test). */
  packages?: string[];
  /** Start the host in a session of its own (the wrapper gives it a parent-death signal: HostWrapper). */
  ownSession?: boolean;
}

/** A command prefix for the sandbox host, with what it guarantees (never read back from its argv). */
export interface HostWrapper {
  argv: string[];
  /** The wrapper gives the host a parent-death signal, so the host may run in a session of its own. */
  parentDeathSignal: boolean;
}

/** Settings the trusted side hands to the host on its command line (JSON in argv[2]). */
export interface HostOptions {
  /** Absolute path of the compiled module under test (inside the build folder). */
  entry: string;
  /** Packages the exercise provides (loaded once before the code under test, as a check of the machinery). */
  packages?: string[];
  /**
   * The only folders module resolution may look in (the build folder and the packages folder). Node walks up from
   * the build folder looking for node_modules; when the build folder sits inside the course (an output folder under
   * the course root), the walk would find the course's own node_modules first, a copy the sandbox may not read.
   */
  moduleRoots?: string[];
}

/** Environment variables the grader sets in the trusted jest process, read by the harness. */
export const ENV = {
  /** The build folder of the run (holds MANIFEST_FILE). */
  buildDir: 'COURSE_BUILD_DIR',
  /** The run's seed (harness/support/random.ts). */
  seed: 'COURSE_SEED',
} as const;

/** How a sandbox host fared, for the verdict: loaded, the learner's load failure, the machinery's, a protocol break. */
export const SANDBOX_SIGNALS = ['loaded', 'load-error', 'machinery', 'protocol'] as const;
export type SandboxSignal = (typeof SANDBOX_SIGNALS)[number];

/** Anomalies the host reports about the code under test (over the channel that code can write to). */
export const HOST_ANOMALY_KINDS = ['exit-attempt', 'uncaught-exception', 'unhandled-rejection', 'unsendable-callback'] as const;
export type HostAnomalyKind = (typeof HOST_ANOMALY_KINDS)[number];
/** Anomalies the trusted side observes itself: a process outlived its host's kill; a trusted process got SIGUSR1. */
export const ANOMALY_KINDS = [...HOST_ANOMALY_KINDS, 'survivor', 'debug-signal'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Something the code under test did that it should not have. `detail` is untrusted for the host's kinds. */
export interface Anomaly {
  kind: AnomalyKind;
  detail: string;
}

const SENTENCES: Record<AnomalyKind, (detail: string) => string> = {
  'exit-attempt': (code) => `the code under test called process.exit(${code})`,
  'uncaught-exception': (message) => `uncaught exception: ${message}`,
  'unhandled-rejection': (message) => `unhandled rejection: ${message}`,
  'unsendable-callback': (error) => `a callback argument could not be sent: ${error}`,
  survivor: (pids) => `${pids.split(', ').length} process(es) of the code under test outlived the kill (pids ${pids})`,
  'debug-signal': () => "a process sent SIGUSR1 to the grader's test process (an attempt to open its debugger)",
};

/** The sentence shown for an anomaly (results, reports). */
export function anomalyText(anomaly: Anomaly): string {
  return SENTENCES[anomaly.kind](anomaly.detail);
}

/** The hooks the trusted test environment puts on the suite's global object (absent outside a graded run). */
export interface CourseHooks {
  /** Reports an anomaly of the run to the grader. */
  __courseAnomaly?: (anomaly: Anomaly) => void;
  /** Reports how a sandbox host fared. */
  __courseSandboxSignal?: (kind: SandboxSignal, detail: string) => void;
  /**
   * Hands on what the code under test printed (its stdout and stderr, console.log included), as it arrives, and how
   * many characters of it the host could not keep; the test environment attributes it to the test that is running
   * (grader/run/learner-output.ts) and caps it.
   */
  __courseOutput?: (text: string, dropped?: number) => void;
  /**
   * Hands on a failing test's structured evidence (harness/support/evidence.ts), from the hidden suite only: the
   * test environment attributes it to the running test; the grader validates it (grader/run/evidence.ts).
   */
  __courseEvidence?: (evidence: unknown) => void;
}

/** The hooks, as harness code reaches them. */
export function courseHooks(): CourseHooks {
  return globalThis as CourseHooks;
}
