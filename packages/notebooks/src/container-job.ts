import type { EmittedFile } from './emitted-file.js';
import { registryModelName, type ResolvedOptions } from './options.js';

/** Names of the container-job objects of a project (classifier recipe). */
export interface ContainerJobNames {
  /** The image repository (schema-level). */
  repository: string;
  /** The image name and tag inside it. */
  image: string;
  /** The job service. */
  service: string;
  /** Stage folder (under the project stage) holding the job specification. */
  specFolder: string;
  /** The per-epoch training log table. */
  trainingLog: string;
}

/** Default names: everything inside the project's database and schema. */
export function containerJobNames(o: ResolvedOptions): ContainerJobNames {
  const s = o.snowflake;
  return {
    repository: `${s.database}.${s.schema}.DEFECTKIT_IMAGES`,
    image: `defectkit-${o.name}:latest`,
    service: `${s.database}.${s.schema}.${registryModelName(o)}_TRAIN_JOB`,
    specFolder: `@${s.database}.${s.schema}.${s.stage}/jobs/${o.name}`,
    trainingLog: `${s.database}.${s.schema}.TRAINING_LOG`,
  };
}

/** The TRAINING_LOG table: one row per epoch of a job run (the X-ray app's Training page reads it). */
export function trainingLogTableSql(o: ResolvedOptions): string {
  return `CREATE TABLE IF NOT EXISTS ${containerJobNames(o).trainingLog} (RUN_ID VARCHAR, EPOCH INTEGER, LOSS DOUBLE, VAL_ACCURACY DOUBLE, SECONDS DOUBLE, LOGGED_AT TIMESTAMP_NTZ)`;
}

/** The image path in a job specification: `/<db>/<schema>/<repository>/<image>` (lower case, as the registry has it). */
function specImage(o: ResolvedOptions, names: ContainerJobNames): string {
  const [db, schema, repo] = names.repository.split('.');
  return `/${db}/${schema}/${repo}/${names.image}`.toLowerCase();
}

/** `job/Dockerfile`: CUDA PyTorch plus what train.py and the model handler import. */
function dockerfile(o: ResolvedOptions): string {
  return `# The ${o.name} classifier as a Snowpark Container Services job image (see README.md in this folder).
FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime
RUN pip install --no-cache-dir onnx onnxruntime opencv-python-headless pillow pandas pyyaml \\
      "snowflake-snowpark-python>=1.20" "snowflake-ml-python>=1.8"
WORKDIR /app
COPY train.py defectkit_handler.py /app/
# The job specification gives the command (python /app/train.py --job ...).
`;
}

/** `job/job-spec.yaml`: one GPU container running train.py in job mode, with shared memory for DataLoader workers. */
function jobSpec(o: ResolvedOptions, names: ContainerJobNames): string {
  return `# Snowpark Container Services job specification for ${o.name} (EXECUTE JOB SERVICE ... SPECIFICATION_FILE).
spec:
  containers:
    - name: main
      image: ${specImage(o, names)}
      command: ["python", "/app/train.py", "--job"]
      env:
        SNOWFLAKE_WAREHOUSE: ${o.snowflake.warehouse}
        DEFECTKIT_TRAINING_LOG: ${names.trainingLog}
      resources:
        requests:
          nvidia.com/gpu: ${o.gpus}
        limits:
          nvidia.com/gpu: ${o.gpus}
      volumeMounts:
        - name: dshm
          mountPath: /dev/shm
  volumes:
    - name: dshm
      source: memory
      size: 8Gi
`;
}

/** `job/job.sql`: the image repository, the log table, the run, and how to read the logs. */
export function jobSql(o: ResolvedOptions): string {
  const s = o.snowflake;
  const n = containerJobNames(o);
  return `-- Run the ${o.name} classifier as a Snowpark Container Services job (after setup.sql and the image push in README.md).
CREATE IMAGE REPOSITORY IF NOT EXISTS ${n.repository};
${trainingLogTableSql(o)};
PUT file://job-spec.yaml ${n.specFolder}/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE;

-- Runs to completion (the statement returns when the job ends); ASYNC = TRUE returns at once.
EXECUTE JOB SERVICE
  IN COMPUTE POOL ${s.computePool}
  NAME = ${n.service}
  EXTERNAL_ACCESS_INTEGRATIONS = (${s.integration})
  QUERY_WAREHOUSE = ${s.warehouse}
  FROM ${n.specFolder}
  SPECIFICATION_FILE = 'job-spec.yaml';

-- Progress: one row per epoch.
SELECT RUN_ID, EPOCH, LOSS, VAL_ACCURACY, SECONDS, LOGGED_AT FROM ${n.trainingLog} ORDER BY LOGGED_AT DESC;
-- The container's stdout/stderr (last 500 lines) and its status.
SELECT SYSTEM$GET_SERVICE_LOGS('${n.service}', 0, 'main', 500);
SHOW SERVICE CONTAINERS IN SERVICE ${n.service};
-- Remove the finished job (its logs go with it).
DROP SERVICE IF EXISTS ${n.service};
`;
}

function jobReadme(o: ResolvedOptions): string {
  const n = containerJobNames(o);
  return `# ${o.name} as a container job

The same \`train.py\` as the notebook, run by Snowpark Container Services as a job (\`--job\`: it signs in with the
service's OAuth token, downloads the dataset stage, trains on the GPU, writes one \`${n.trainingLog}\` row per epoch,
uploads \`model.onnx\` + \`model.json\` and logs the model to the registry). Transfer learning from ImageNet weights is
on by default (\`--no-pretrained\` in the spec's command turns it off).

1. \`setup.sql\` of the project (pool, role, stage, network rule for PyPI and download.pytorch.org).
2. Build and push the image (run from the project folder):
   \`\`\`sh
   snow spcs image-registry login --connection <name>
   docker build --platform linux/amd64 -f job/Dockerfile -t <repository_url>/${n.image} .
   docker push <repository_url>/${n.image}
   \`\`\`
   \`SHOW IMAGE REPOSITORIES IN SCHEMA ${o.snowflake.database}.${o.snowflake.schema}\` gives \`repository_url\`.
3. \`job.sql\` (from this folder: \`snow sql -f job.sql\`): creates the repository and \`TRAINING_LOG\`, uploads the
   specification and runs \`EXECUTE JOB SERVICE\`.
4. Logs: \`SYSTEM$GET_SERVICE_LOGS('${n.service}', 0, 'main', 500)\` while it runs or after; progress in
   \`TRAINING_LOG\`; \`SHOW SERVICE CONTAINERS IN SERVICE ${n.service}\` for the status.
`;
}

/** The container-job files of a classifier project: `job/Dockerfile`, `job/job-spec.yaml`, `job/job.sql`, `job/README.md`. */
export function containerJobFiles(o: ResolvedOptions): EmittedFile[] {
  const names = containerJobNames(o);
  return [
    { path: 'job/Dockerfile', content: dockerfile(o) },
    { path: 'job/job-spec.yaml', content: jobSpec(o, names) },
    { path: 'job/job.sql', content: jobSql(o) },
    { path: 'job/README.md', content: jobReadme(o) },
  ];
}
