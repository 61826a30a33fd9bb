// Template variables: the Prometheus datasource, then one multi-select per default tag.
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

export function tagVariable(label: string): QueryVariableBuilder {
  const query = variableQuery(label);
  return new QueryVariableBuilder(label)
    .label(label)
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
