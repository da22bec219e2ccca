import type { ResolvedOptions } from './options.js';

/** PyPI: `pip install` of packages the runtime image lacks (every recipe). */
const PYPI = ['pypi.org', 'pypi.python.org', 'pythonhosted.org', 'files.pythonhosted.org'];
/** torchvision's pretrained weights (`weights='DEFAULT'`) come from the PyTorch download server. */
const TORCHVISION = ['download.pytorch.org'];
/**
 * Ultralytics checkpoints are GitHub release assets (github.com redirects to the assets hosts); it fetches its
 * plotting font from ultralytics.com and can pull checkpoints from Hugging Face.
 */
const ULTRALYTICS = ['github.com', 'objects.githubusercontent.com', 'release-assets.githubusercontent.com', 'ultralytics.com', 'huggingface.co', 'cdn-lfs.huggingface.co'];

/**
 * The hosts a recipe's notebook must reach (the network rule's VALUE_LIST): PyPI always, plus where its
 * pretrained weights live, so a notebook never fails half-way on a blocked download.
 */
export function egressHosts(o: ResolvedOptions): string[] {
  const hosts = [...PYPI];
  if (o.recipe === 'ultralytics') hosts.push(...ULTRALYTICS);
  else if (o.pretrained !== 'none') hosts.push(...TORCHVISION);
  return hosts;
}
