import { NotebookOptionsError } from './errors.js';

/** Clouds a Snowflake account runs on; each has its own GPU instance family names. */
export const CLOUDS = ['aws', 'azure', 'gcp'] as const;
/** One of {@link CLOUDS}. */
export type Cloud = (typeof CLOUDS)[number];

/** A GPU compute pool instance family and how many GPUs one node has. */
export interface GpuFamily {
  name: string;
  gpus: number;
  gpu: string;
}

/**
 * GPU instance families per cloud, smallest first (from the INSTANCE_FAMILY table of Snowflake's CREATE COMPUTE
 * POOL reference; `SHOW COMPUTE POOL INSTANCE FAMILIES` lists what an account really offers, and
 * `--instance-family` overrides the pick).
 */
export const GPU_FAMILIES: Record<Cloud, readonly GpuFamily[]> = {
  aws: [
    { name: 'GPU_NV_S', gpus: 1, gpu: 'A10G' },
    { name: 'GPU_NV_M', gpus: 4, gpu: 'A10G' },
    { name: 'GPU_NV_L', gpus: 8, gpu: 'A100' },
  ],
  azure: [
    { name: 'GPU_NV_SM', gpus: 1, gpu: 'A10' },
    { name: 'GPU_NV_2M', gpus: 2, gpu: 'A10' },
    { name: 'GPU_NV_SL', gpus: 4, gpu: 'A100' },
  ],
  gcp: [
    { name: 'GPU_GCP_NV_L4_1_24G', gpus: 1, gpu: 'L4' },
    { name: 'GPU_GCP_NV_L4_4_24G', gpus: 4, gpu: 'L4' },
    { name: 'GPU_GCP_NV_A100_8_40G', gpus: 8, gpu: 'A100' },
  ],
};

/** The smallest family of the cloud with at least `gpus` GPUs per node; refuses more GPUs than any node has. */
export function gpuInstanceFamily(cloud: Cloud, gpus: number): GpuFamily {
  const family = GPU_FAMILIES[cloud].find((f) => f.gpus >= gpus);
  if (family === undefined) {
    const most = GPU_FAMILIES[cloud].at(-1)!;
    throw new NotebookOptionsError(`gpus: ${cloud} nodes have at most ${most.gpus} GPUs (${most.name}), got ${gpus}`, { field: 'gpus', value: gpus });
  }
  return family;
}
