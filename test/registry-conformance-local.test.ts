import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRegistry } from '@defectkit/registry';
import { describeRegistryConformance } from '@defectkit/registry/testing';
import { repoRoot } from './support/paths.js';

// The local folder driver against the shared registry contract, with the shipped detector.
describeRegistryConformance('LocalRegistry (a folder), models/pcb-defects', async () => ({
  registry: new LocalRegistry({ dir: await mkdtemp(join(tmpdir(), 'defectkit-conformance-local-')) }),
  modelFolder: join(repoRoot, 'models', 'pcb-defects'),
}));
