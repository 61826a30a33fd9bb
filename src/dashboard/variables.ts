// Template variables: the Prometheus datasource, `job`, then one multi-select per default tag. Each
// query variable reads label values from one anchor series, narrowed by the variables before it
// (chained), instead of scanning every `codex_*` series.
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE } from './panels.js';
import { variableQuery } from './queries.js';

export const DATASOURCE_VARIABLE = 'datasource';
/** Regex that selects everything; it also matches series without the label (auth_mode can be absent). */
export const ALL_VALUE = '.*';

export function datasourceVariable(uid?: string): DatasourceVariableBuilder {
  const variable = new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus');
  if (uid) variable.current({ selected: true, text: uid, value: uid });
  return variable;
}

/** A chained `label_values` variable: values of `label` on `anchor` where the `chain` variables match. */
export function labelVariable(label: string, anchor: string, chain: readonly string[], title = label): QueryVariableBuilder {
  const query = variableQuery(label, anchor, chain);
  return new QueryVariableBuilder(label)
    .label(title)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(ALL_VALUE)
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}
