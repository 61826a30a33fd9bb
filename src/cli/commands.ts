// Commands beyond the catalog ones, registered here so each lives in its own file.
import { registerCommand } from './main.js';

registerCommand('dashboard', 'print the Grafana dashboard JSON (--out FILE, --datasource UID, --naming collector|plain)', async () => (await import('./dashboard.js')).dashboardCommand);

registerCommand('demo', 'run a simulated agent session that exports every catalog metric over OTLP/HTTP', async () => (await import('./demo.js')).demoCommand);
registerCommand('verify', 'receive OTLP/HTTP metrics and check them against the catalog (--listen, --duration, --json)', async () => (await import('./verify.js')).verifyCommand);
registerCommand('registry', 'export the catalog for OpenTelemetry tooling (--format semconv [--out FILE])', async () => (await import('./registry.js')).registryCommand);

export { registerCommand };
