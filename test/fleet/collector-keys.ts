// The Collector configuration keys (and OTTL functions) the shipped recipe relies on, each with the
// component documentation it was checked against (opentelemetry-collector and
// opentelemetry-collector-contrib, main branch, read in 2026-12). A key not listed here is a key
// nobody checked: collectorKeyProblems() reports it.

interface Documented {
  readonly keys: readonly string[];
  readonly source: string;
}

/** Settings per component, by the path of the component's block. */
export const DOCUMENTED: Readonly<Record<string, Documented>> = {
  'receivers.otlp': { keys: ['protocols'], source: 'opentelemetry-collector receiver/otlpreceiver/README.md' },
  'receivers.otlp.protocols': { keys: ['http', 'grpc'], source: 'opentelemetry-collector receiver/otlpreceiver/README.md' },
  'receivers.otlp.protocols.http': {
    keys: ['endpoint', 'include_metadata'],
    source: 'opentelemetry-collector config/confighttp/README.md (server settings; include_metadata: request headers as client metadata)',
  },
  resource: { keys: ['attributes'], source: 'opentelemetry-collector-contrib processor/resourceprocessor/README.md' },
  'resource.attributes[]': {
    keys: ['key', 'action', 'value', 'from_attribute', 'from_context', 'default_value', 'pattern', 'converted_type'],
    source: 'opentelemetry-collector-contrib processor/attributesprocessor/README.md (actions; from_context: client.address, metadata.<header>, auth.<attr>)',
  },
  transform: { keys: ['error_mode', 'metric_statements'], source: 'opentelemetry-collector-contrib processor/transformprocessor/README.md' },
  'transform.metric_statements[]': { keys: ['context', 'statements', 'conditions', 'error_mode'], source: 'opentelemetry-collector-contrib processor/transformprocessor/README.md' },
  deltatocumulative: { keys: ['max_stale', 'max_streams'], source: 'opentelemetry-collector-contrib processor/deltatocumulativeprocessor/README.md' },
  batch: { keys: ['send_batch_size', 'timeout', 'send_batch_max_size', 'metadata_keys'], source: 'opentelemetry-collector processor/batchprocessor/README.md' },
  prometheus: {
    keys: [
      'endpoint',
      'const_labels',
      'namespace',
      'send_timestamps',
      'metric_expiration',
      'resource_constant_labels',
      'resource_to_telemetry_conversion',
      'enable_open_metrics',
      'without_scope_info',
      'add_metric_suffixes',
      'translation_strategy',
    ],
    source: 'opentelemetry-collector-contrib exporter/prometheusexporter/README.md',
  },
  'service.pipelines.metrics': { keys: ['receivers', 'processors', 'exporters'], source: 'opentelemetry-collector docs: service pipelines' },
};

/** OTTL functions the recipe calls, and where each is documented. */
export const OTTL_FUNCTIONS: Readonly<Record<string, string>> = {
  replace_pattern: 'opentelemetry-collector-contrib pkg/ottl/ottlfuncs/README.md',
  set: 'opentelemetry-collector-contrib pkg/ottl/ottlfuncs/README.md',
  Now: 'opentelemetry-collector-contrib pkg/ottl/ottlfuncs/README.md',
  aggregate_on_attributes: 'opentelemetry-collector-contrib processor/transformprocessor/README.md (metric context, v0.106.0 and later)',
};

/** OTTL datapoint/metric paths and enums the statements use (pkg/ottl/contexts/ottldatapoint, ottlmetric). */
export const OTTL_PATHS = ['attributes', 'time', 'start_time_unix_nano', 'metric.aggregation_temporality', 'AGGREGATION_TEMPORALITY_DELTA'];

type Node = Record<string, unknown>;

/** Keys and OTTL calls of a Collector configuration (or fragment) that the lists above do not document. */
export function collectorKeyProblems(config: Node): string[] {
  const problems: string[] = [];
  const check = (path: string, value: unknown, documented: Documented | undefined): void => {
    if (!documented) {
      problems.push(`${path}: no documented key list`);
      return;
    }
    for (const key of Object.keys((value as Node) ?? {})) if (!documented.keys.includes(key)) problems.push(`${path}.${key}: not in ${documented.source}`);
  };
  const receivers = (config.receivers ?? {}) as Node;
  for (const [name, value] of Object.entries(receivers)) {
    check(`receivers.${name}`, value, DOCUMENTED[`receivers.${name}`]);
    const protocols = (value as Node)?.protocols as Node | undefined;
    if (protocols) {
      check(`receivers.${name}.protocols`, protocols, DOCUMENTED[`receivers.${name}.protocols`]);
      for (const [p, settings] of Object.entries(protocols)) check(`receivers.${name}.protocols.${p}`, settings, DOCUMENTED[`receivers.${name}.protocols.${p}`]);
    }
  }
  for (const [name, value] of Object.entries((config.processors ?? {}) as Node)) {
    const type = name.split('/')[0];
    check(`processors.${name}`, value, DOCUMENTED[type]);
    for (const [listKey, items] of Object.entries((value as Node) ?? {})) {
      if (!Array.isArray(items)) continue;
      for (const item of items) check(`processors.${name}.${listKey}[]`, item, DOCUMENTED[`${type}.${listKey}[]`]);
      if (listKey === 'metric_statements') {
        for (const item of items as { statements?: string[] }[]) {
          for (const statement of item.statements ?? []) {
            for (const [, fn] of statement.matchAll(/\b([A-Za-z_]+)\(/g)) if (!(fn in OTTL_FUNCTIONS)) problems.push(`processors.${name}: OTTL function ${fn} not documented here`);
          }
        }
      }
    }
  }
  for (const [name, value] of Object.entries((config.exporters ?? {}) as Node)) check(`exporters.${name}`, value, DOCUMENTED[name.split('/')[0]]);
  const pipelines = ((config.service as Node | undefined)?.pipelines ?? {}) as Node;
  for (const [name, value] of Object.entries(pipelines)) check(`service.pipelines.${name}`, value, DOCUMENTED[`service.pipelines.${name.split('/')[0]}`]);
  return problems;
}
