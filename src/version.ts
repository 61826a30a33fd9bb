/** Package version, reported as the instrumentation scope version. Keep in step with package.json. */
export const PACKAGE_VERSION = '0.1.0';
