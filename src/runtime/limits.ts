// Every bound of the runtime in one place (docs/failure-behaviour.md lists them with what happens past them).

/**
 * Series per metric for the process lifetime, the overflow series included: `limit - 1` attribute
 * sets are kept, every further one is recorded into `otel.metric.overflow=true` (the SDK's rule and
 * default, except that the SDK applies it per collection interval).
 */
export const DEFAULT_CARDINALITY_LIMIT = 2000;
/** `withDefaults` views interned for sharing; the least recently requested one leaves first. */
export const MAX_INTERNED_VIEWS = 1000;
/**
 * Series-cache entries over all views together (about 100 bytes each), or twice the series limit
 * if that is more. Past it every view's cache is emptied and refills on demand, so many views
 * cannot pin memory.
 */
export const SERIES_CACHE_BUDGET = 100_000;
/** Largest finite double: a series whose sum would pass it drops the measurement (counted). */
export const MAX_FINITE = Number.MAX_VALUE;
