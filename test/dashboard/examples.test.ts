// The docker-compose example is only useful if its pieces agree with each other and with the
// committed dashboard; these checks run without Docker.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_NAMING, type PrometheusNaming } from '../../src/dashboard/naming.js';

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples');
const load = (file: string): any => parse(readFileSync(join(EXAMPLES, file), 'utf8'));

/** Collector `translation_strategy` that produces each naming mode (plain has none: see otel-collector.yaml). */
const STRATEGY: Record<PrometheusNaming, string | undefined> = { collector: 'UnderscoreEscapingWithSuffixes', plain: undefined };

const collector = load('otel-collector.yaml');
const prometheus = load('prometheus.yml');
const compose = load('docker-compose.yml');
const datasources = load('grafana/provisioning/datasources/prometheus.yaml');
const dashboards = load('grafana/provisioning/dashboards/codex.yaml');

describe('examples', () => {
  it('collector: OTLP/HTTP on 4318 to a Prometheus exporter on 8889 named like the default dashboard', () => {
    expect(collector.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/);
    expect(collector.exporters.prometheus.endpoint).toMatch(/:8889$/);
    expect(collector.exporters.prometheus.translation_strategy).toBe(STRATEGY[DEFAULT_NAMING]);
    expect(collector.service.pipelines.metrics).toMatchObject({ receivers: ['otlp'], exporters: ['prometheus'] });
    for (const p of collector.service.pipelines.metrics.processors) expect(collector.processors).toHaveProperty(p);
  });

  it('collector converts delta to cumulative before any exporter (Codex exports delta), after the identity processor', () => {
    const processors: string[] = collector.service.pipelines.metrics.processors;
    expect(processors).toContain('deltatocumulative');
    expect(collector.processors).toHaveProperty('deltatocumulative');
    // deltatocumulative keys streams by resource: the identity must be on it before.
    expect(processors.indexOf('resource/identity')).toBeLessThan(processors.indexOf('deltatocumulative'));
  });

  it('prometheus keeps the job the collector sets from service.name, and loads the rules of the default naming', () => {
    const [scrape] = prometheus.scrape_configs;
    expect(scrape.honor_labels).toBe(true);
    const mount = compose.services.prometheus.volumes.map((v: string) => v.split(':')).find(([src]: string[]) => src.includes('rules'));
    expect(mount, 'rules mount').toBeDefined();
    const [src, target] = mount as string[];
    expect(resolve(EXAMPLES, src)).toBe(resolve(EXAMPLES, '../rules', DEFAULT_NAMING));
    for (const file of prometheus.rule_files as string[]) {
      expect(posix.dirname(file)).toBe(target);
      expect(existsSync(resolve(EXAMPLES, src, posix.basename(file))), file).toBe(true);
    }
    expect((prometheus.rule_files as string[]).map((f) => posix.basename(f)).sort()).toEqual(['codex-alerts.yaml', 'codex-recording.yaml']);
  });

  it('prometheus scrapes the collector service, at the interval Grafana is told about', () => {
    const targets = prometheus.scrape_configs.flatMap((s: { static_configs: { targets: string[] }[] }) => s.static_configs.flatMap((c) => c.targets));
    expect(targets).toEqual(['otel-collector:8889']);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['otel-collector', 'prometheus', 'grafana']));
    const [ds] = datasources.datasources;
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    expect(ds.jsonData.timeInterval).toBe(prometheus.global.scrape_interval);
  });

  it('compose mounts every config file and the committed dashboard where provisioning looks', () => {
    const mounts = (service: string): [string, string][] =>
      compose.services[service].volumes.map((v: string) => v.split(':').slice(0, 2) as [string, string]);
    for (const [service, file] of [
      ['otel-collector', './otel-collector.yaml'],
      ['prometheus', './prometheus.yml'],
      ['grafana', './grafana/provisioning'],
    ]) {
      expect(mounts(service).map(([src]) => src)).toContain(file);
    }
    const dashboardMount = mounts('grafana').find(([src]) => src.endsWith('.json'));
    expect(dashboardMount).toBeDefined();
    const [src, target] = dashboardMount!;
    expect(existsSync(resolve(EXAMPLES, src)), src).toBe(true);
    expect(resolve(EXAMPLES, src)).toBe(resolve(EXAMPLES, '../dashboards/codex-metrics.json'));
    const [provider] = dashboards.providers;
    expect(provider.type).toBe('file');
    expect(posix.dirname(target)).toBe(provider.options.path);
    for (const mount of mounts('otel-collector').concat(mounts('prometheus'))) expect(existsSync(resolve(EXAMPLES, mount[0])), mount[0]).toBe(true);
  });
});
