// `verify --file`: saved exports checked offline, file by file and export by export, each decoded
// exactly as the receiver decodes a request body (same decoders, same per-request limits), so a
// saved export gives the report its live run gave.
import { errorMessage } from './otlp-proto.js';
import { flattenRequest } from './points.js';
import { RequestError, decodeRequestBody } from './request-body.js';
import type { RequestLimits } from './request-limits.js';
import { readExportFile } from './export-files.js';
import type { ExportFileLimits, ExportFileSummary, ExportOutcome, SavedExport } from './export-files.js';
import type { VerifyRun } from './verify-run.js';

export interface FileRunOptions extends ExportFileLimits {
  /** Files opened at most; later ones are counted in `unreadFiles`. */
  readonly maxFiles: number;
  readonly requestLimits: RequestLimits;
  /** Checked before each export and between any two chunks of a file: true stops the run (SIGINT/SIGTERM). */
  readonly stopRequested?: () => boolean;
  /** Called after each export with its size, e.g. to release memory after a large one. */
  readonly afterExport?: (bytes: number) => void;
}

export interface FileRunResult {
  readonly files: readonly ExportFileSummary[];
  /** Files named but never opened: past `maxFiles`, or after the run was stopped. */
  readonly unreadFiles: number;
  readonly interrupted: boolean;
  /** Exports read, rejected ones included. */
  readonly exports: number;
}

export async function checkExportFiles(paths: readonly string[], run: VerifyRun, options: FileRunOptions): Promise<FileRunResult> {
  const files: ExportFileSummary[] = [];
  let exports = 0;
  let interrupted = false;
  // Of the file being read: a file that yields no data point and no rejected export fails (no_metrics).
  let points = 0;
  let rejectedExports = 0;

  const onExport = async (saved: SavedExport): Promise<ExportOutcome> => {
    if (options.stopRequested?.()) {
      interrupted = true;
      return false;
    }
    const index = exports++;
    const bytes = 'body' in saved ? saved.body.length : saved.bytes;
    const rejected = (failure: RequestError): void => {
      rejectedExports++;
      run.rejectExport({ index, status: failure.status, code: failure.code, message: failure.message, contentType: saved.contentType, bytes, source: saved.source });
    };
    if (!('body' in saved)) {
      rejected(saved.error);
      return true;
    }
    // An empty body is an empty request: nothing to decode or check (the receiver would answer 200).
    if (saved.body.length === 0) return 'empty';
    let outcome: ExportOutcome = true;
    try {
      const request = await decodeRequestBody({
        contentType: saved.contentType,
        contentEncoding: undefined,
        body: saved.body,
        maxBytes: options.maxExportBytes,
        limits: options.requestLimits,
      });
      const flat = flattenRequest(request, { contentType: saved.contentType, requestIndex: index });
      points += flat.length;
      if (flat.length === 0) outcome = 'empty';
      else run.checkExport(flat, index);
    } catch (err) {
      rejected(err instanceof RequestError ? err : new RequestError(500, 'internal_error', errorMessage(err)));
    }
    options.afterExport?.(bytes);
    return outcome;
  };

  for (const path of paths.slice(0, options.maxFiles)) {
    if (interrupted || options.stopRequested?.()) {
      interrupted = true;
      break;
    }
    points = 0;
    rejectedExports = 0;
    const summary = await readExportFile(path, options, onExport, options.stopRequested);
    files.push(summary.error === undefined && points === 0 && rejectedExports === 0 ? withoutMetrics(summary) : summary);
  }
  return { files, unreadFiles: paths.length - files.length, interrupted, exports };
}

/** A file read to its end without one data point: nothing was checked, so it cannot pass. */
function withoutMetrics(summary: ExportFileSummary): ExportFileSummary {
  const what =
    summary.exports === 0
      ? 'it holds no export (empty or blank)'
      : `its ${summary.exports} export(s) hold no data point (is it an OTLP ExportMetricsServiceRequest with resourceMetrics?)`;
  return { ...summary, error: { code: 'no_metrics', message: `${summary.path}: no OTLP metrics: ${what}` } };
}
