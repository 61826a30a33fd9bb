// Compile-time tests of the `genAi` option (`npm run typecheck`).
import { CodexMetricProducer, createCodexMetrics, startCodexMetrics, type GenAiOptions } from '../../src/index.js';
import { createTestCodexMetrics } from '../../src/testing/index.js';

createCodexMetrics({ genAi: true });
createCodexMetrics({ genAi: false });
createCodexMetrics({ genAi: { providerName: 'azure.ai.openai' } });
createCodexMetrics({ genAi: {} });
createCodexMetrics({ genAi: { providerName: 'openai' }, metricProducer: new CodexMetricProducer() });
startCodexMetrics({ genAi: true, exporter: undefined });
createTestCodexMetrics({ genAi: { providerName: 'openai' } });
const options: GenAiOptions = { providerName: 'openai' };
createCodexMetrics({ genAi: options });

// @ts-expect-error a string is not a switch
createCodexMetrics({ genAi: 'true' });
// @ts-expect-error the provider is a string
createCodexMetrics({ genAi: { providerName: 1 } });
// @ts-expect-error unknown setting of the view
createCodexMetrics({ genAi: { provider: 'openai' } });
