// Every file `generate` writes and `check` compares, rendered from one parsed catalog.
import type { Catalog } from '../catalog/build.js';
import { renderCatalogModule } from '../catalog/generate.js';
import { DEFAULT_REGISTRY_OUT } from './paths.js';

export interface GeneratedOutput {
  readonly label: string;
  readonly path: string;
  render(catalog: Catalog): string | Promise<string>;
}

export function generatedOutputs(registryOut = DEFAULT_REGISTRY_OUT): GeneratedOutput[] {
  return [{ label: 'registry', path: registryOut, render: renderCatalogModule }];
}
