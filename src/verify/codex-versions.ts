// Judging a point by the Codex version it carries: a metric, field or value that the registry's
// Codex versions say that version does not send is `not_sent_by_version`, and a required field that
// version does not send yet is not required of it (docs/conformance.md "Codex versions").
import type { FieldSpec, MetricSpec } from '../catalog/spec.js';
import { formatRange, RELEASE_VERSION, sendsIn } from '../catalog/versions.js';
import type { ReceivedPoint } from './points.js';

/**
 * The Codex version a point carries: its `app.version` tag, else its resource's `service.version`,
 * when it is a release version (`0.171.0`). Undefined, so not judged, for points of this package:
 * its meter `codex` carries the package's own version as scope version (the Codex CLI's meter has
 * none), and its `app.version` is whatever the host says, maybe not a Codex version at all.
 */
export function codexVersionOf(point: Pick<ReceivedPoint, 'attributes' | 'resource' | 'scopeVersion'>): string | undefined {
  if (point.scopeVersion) return undefined;
  const tag = point.attributes['app.version'];
  const version = typeof tag === 'string' ? tag : point.resource['service.version'];
  return typeof version === 'string' && RELEASE_VERSION.test(version) ? version : undefined;
}

/** Whether `version` is known not to send this field of the metric (so it is not required of it). */
export function fieldNotSent(field: FieldSpec, version: string | undefined): boolean {
  return version !== undefined && field.versions !== undefined && sendsIn(field.versions, version) === 'no';
}

export interface VersionProblem {
  readonly field?: string;
  readonly message: string;
}

/** What of this point its Codex version does not send; empty when the point is not judged. */
export function versionProblems(point: ReceivedPoint, spec: MetricSpec, version: string | undefined, metric: string): VersionProblem[] {
  if (version === undefined) return [];
  if (spec.versions && sendsIn(spec.versions, version) === 'no') {
    return [{ message: `${metric} is not sent by Codex ${version}: the registry has it from Codex ${formatRange(spec.versions)}` }];
  }
  const out: VersionProblem[] = [];
  for (const [key, value] of Object.entries(point.attributes)) {
    const field = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
    if (!field) continue;
    if (fieldNotSent(field, version)) {
      out.push({ field: key, message: `${metric} field ${key} is not sent by Codex ${version}: the registry has it from Codex ${formatRange(field.versions!)}` });
      continue;
    }
    const range = typeof value === 'string' && field.valueVersions && Object.hasOwn(field.valueVersions, value) ? field.valueVersions[value] : undefined;
    // The value itself is named: it comes from the docs' closed list of dated values, not from the wire.
    if (range && sendsIn(range, version) === 'no') out.push({ field: key, message: `${metric} field ${key} value ${value} is not sent by Codex ${version}: the registry has it from Codex ${formatRange(range)}` });
  }
  return out;
}
