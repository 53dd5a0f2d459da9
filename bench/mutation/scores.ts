/**
 * Per-file mutation scores from Stryker's JSON report
 * (reports/mutation/mutation.json, the mutation-testing-report-schema), the
 * way Stryker itself scores: killed and timed-out mutants are detected;
 * survivors and mutants no test covers are not; mutants that do not compile,
 * crash the runtime or are disabled in the source (equivalent mutants, listed
 * in test/mutation/equivalent-mutants.md) do not count either way.
 */

/** The mutant statuses of Stryker's report. */
export type MutantStatus = "Killed" | "Survived" | "NoCoverage" | "Timeout" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";

/** What this module reads of Stryker's report. */
export interface StrykerReport {
  readonly files: Readonly<Record<string, { readonly mutants: readonly { readonly status: MutantStatus }[] }>>;
}

/** One file's counts and score. */
export interface FileScore {
  readonly file: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Disabled in the source as equivalent (Stryker's `Ignored`). */
  readonly ignored: number;
  /** Mutants that do not type-check or crash the runtime: no score either way. */
  readonly invalid: number;
  /** Detected ÷ (detected + undetected), in percent; 100 when nothing counts. */
  readonly scorePercent: number;
}

/** The smallest score every file must reach. */
export const MIN_FILE_SCORE_PERCENT = 90;

/** Scores of every file in the report, sorted by path. */
export function fileScores(report: StrykerReport): FileScore[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const count = (status: MutantStatus) => mutants.filter((m) => m.status === status).length;
      const counts = {
        killed: count("Killed"),
        timeout: count("Timeout"),
        survived: count("Survived"),
        noCoverage: count("NoCoverage"),
        ignored: count("Ignored"),
        invalid: count("CompileError") + count("RuntimeError"),
      };
      return { file, ...counts, scorePercent: percent(counts.killed + counts.timeout, counts.survived + counts.noCoverage) };
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The whole report's score, from the files' counts. */
export function totalScore(scores: readonly FileScore[]): FileScore {
  const sum = (key: "killed" | "timeout" | "survived" | "noCoverage" | "ignored" | "invalid") => scores.reduce((n, s) => n + s[key], 0);
  const detected = sum("killed") + sum("timeout");
  return {
    file: "all",
    killed: sum("killed"),
    timeout: sum("timeout"),
    survived: sum("survived"),
    noCoverage: sum("noCoverage"),
    ignored: sum("ignored"),
    invalid: sum("invalid"),
    scorePercent: percent(detected, sum("survived") + sum("noCoverage")),
  };
}

function percent(detected: number, undetected: number): number {
  const valid = detected + undetected;
  return valid === 0 ? 100 : (100 * detected) / valid;
}
