// One `verify` run, whether the exports arrive over HTTP or come from files: each export's points
// go through the conformance checker and the coverage tracker, the first occurrence of each
// violation is announced, rejected exports are counted and the last ones kept for the report. The
// same path for both sources is what makes `--file` on a saved export report what the live run did.
import type { ConformanceChecker } from './checker.js';
import type { CoverageTracker } from './coverage.js';
import type { ReceivedPoint } from './points.js';
import { malformedLine } from './run-report.js';
import type { MalformedRequest } from './run-report.js';
import { violationKey } from './violations.js';

/** Malformed requests listed in the final report; all of them are counted and announced. */
export const MAX_REPORTED_MALFORMED = 100;

export interface VerifyRun {
  /** Checks one export's points. A checker failure is counted (it fails the run), never thrown. */
  checkExport(points: readonly ReceivedPoint[], index: number): void;
  /** Records an export that could not be decoded or was stopped by a limit. */
  rejectExport(rejected: MalformedRequest): void;
  readonly malformedRequestCount: number;
  /** The last MAX_REPORTED_MALFORMED rejected exports, oldest first. */
  readonly malformedRequests: readonly MalformedRequest[];
  readonly internalErrors: number;
}

export function createVerifyRun(checker: ConformanceChecker, coverage: CoverageTracker, announce: (line: string) => void): VerifyRun {
  // Bounded by the checker: only tallied violations are returned, at most maxDistinctViolations distinct.
  const announced = new Set<string>();
  const recentMalformed: MalformedRequest[] = [];
  let malformedRequestCount = 0;
  let internalErrors = 0;
  return {
    checkExport(points, index) {
      try {
        coverage.observe(points);
        // Live feedback: each distinct violation the first time it shows up.
        for (const v of checker.check(points)) {
          const key = violationKey(v);
          if (announced.has(key)) continue;
          announced.add(key);
          announce(`violation ${v.code}: ${v.message}`);
        }
      } catch (e) {
        // A checker bug must fail the run, not vanish.
        internalErrors++;
        announce(`verify: internal error while checking export #${index}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    rejectExport(rejected) {
      malformedRequestCount++;
      announce(malformedLine(rejected));
      recentMalformed.push(rejected);
      if (recentMalformed.length > MAX_REPORTED_MALFORMED) recentMalformed.shift();
    },
    get malformedRequestCount() {
      return malformedRequestCount;
    },
    get malformedRequests() {
      return [...recentMalformed];
    },
    get internalErrors() {
      return internalErrors;
    },
  };
}
