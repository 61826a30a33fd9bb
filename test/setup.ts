// Tests configure OpenTelemetry explicitly: OTEL_* variables of the machine running them (a
// collector endpoint, gzip compression, headers) must not change what they observe.
for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
// startCodexMetrics uses the SDK source its entry point registers (src/index.ts registers this
// one); tests that import src/export/start.ts directly get the same.
import '../src/export/node-sdk-modules.js';
