// Tests configure OpenTelemetry explicitly: OTEL_* variables of the machine running them (a
// collector endpoint, gzip compression, headers) must not change what they observe.
for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
