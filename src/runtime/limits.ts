/** sdk-metrics' default cardinality limit per instrument; the package's cache bound follows it. */
export const DEFAULT_CARDINALITY_LIMIT = 2000;
