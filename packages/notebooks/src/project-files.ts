import type { RecipeName, ResolvedOptions } from './options.js';
import { registryModelName, stageOut } from './options.js';

/** `snowflake.yml`: a Snowflake CLI project definition (v2) with one notebook entity, for `snow notebook deploy`. */
export function snowflakeYml(o: ResolvedOptions): string {
  const s = o.snowflake;
  return `# Deploy with: snow notebook deploy ${s.notebook.toLowerCase()} --replace
definition_version: 2
entities:
  ${s.notebook.toLowerCase()}:
    type: notebook
    identifier:
      name: ${s.notebook}
      database: ${s.database}
      schema: ${s.schema}
    notebook_file: notebook.ipynb
    query_warehouse: ${s.warehouse}
    compute_pool: ${s.computePool}
    runtime_name: SYSTEM$GPU_RUNTIME
    stage_path: ${s.database}.${s.schema}.${s.stage}/notebooks/${o.name}
    artifacts:
      - notebook.ipynb
      - train.py
      - defectkit_handler.py
`;
}

const PIP: Record<RecipeName, string[]> = {
  'pcb-detector': [],
  'faster-rcnn': [],
  ultralytics: ['ultralytics>=8.3'],
  classifier: [],
};

/** `environment.yml`: a conda environment that runs the script locally (CPU or CUDA). */
export function environmentYml(o: ResolvedOptions): string {
  const pip = PIP[o.recipe];
  return `# Local environment for the ${o.recipe} recipe: conda env create -f environment.yml
name: defectkit-${o.recipe}
channels:
  - pytorch
  - conda-forge
dependencies:
  - python=3.11
  - pytorch>=1.13
  - torchvision>=0.14
  - numpy
  - opencv
  - pyyaml
  - onnx>=1.12
  - onnxruntime
  - pip
  - pip:
      - snowflake-ml-python>=1.8
${pip.map((p) => `      - ${p}\n`).join('')}`;
}

const ABOUT: Record<RecipeName, string> = {
  'pcb-detector':
    "DefectKit's compact single-stage, anchor-free detector in plain PyTorch, exported to ONNX in the Ultralytics raw layout `[B, 4+nc, A]`.",
  'faster-rcnn':
    'torchvision Faster R-CNN with a configurable backbone, trained on every GPU of the pool through PyTorchDistributor, exported to ONNX (opset 11, dynamic size).',
  ultralytics: 'Ultralytics YOLO (v8 / 11 / 12 weights), exported to ONNX with `nms=False` (raw `[B, 4+nc, A]` output).',
  classifier: 'A torchvision ResNet / VGG image classifier (transfer learning), exported to ONNX.',
};

/** The project README: what was emitted and the steps to run it in Snowflake or locally. */
export function projectReadme(o: ResolvedOptions): string {
  const s = o.snowflake;
  const data = o.recipe === 'classifier' ? 'an image folder with `train/<class>/*.jpg` and `val/<class>/*.jpg`' : 'a YOLO-format folder (`data.yaml`, `images/`, `labels/`; `defectkit convert --to yolo` writes one)';
  return `# ${o.name}: ${o.recipe} training project

${ABOUT[o.recipe]}

Emitted by \`defectkit notebook emit --recipe ${o.recipe}\`. Classes: ${o.classes.join(', ')}; image size ${o.imgsz}; ${o.epochs} epochs.

| File | What it is |
| --- | --- |
| \`notebook.ipynb\` | The Snowflake Notebook (Container Runtime, GPU): the training code with explanations. |
| \`train.py\` | The same code as a plain script; \`--local\` runs it on your machine. |
| \`defectkit_handler.py\` | The model handler \`log_to_registry\` logs with the model: image bytes in, detections out. |
| \`setup.sql\` / \`teardown.sql\` | Creates / removes the database, stage, GPU compute pool, network rule, external access integration, role and grants. |
| \`snowflake.yml\` | Snowflake CLI project definition for \`snow notebook deploy\`. |
| \`environment.yml\` | Conda environment for local runs. |

## In Snowflake
Steps 1 to 3 in one idempotent command (\`--dry-run\` prints its SQL; \`defectkit snowflake clean\` undoes it):
\`defectkit snowflake deploy --recipe ${o.recipe} --name ${o.name}${o.recipe === 'classifier' ? '' : ' --data <YOLO folder>'} --connection <name>\`${o.recipe === 'classifier' ? ' (then upload the image folder as in step 2)' : ''}.

1. Run \`setup.sql\` (as ACCOUNTADMIN, e.g. \`snow sql -f setup.sql\`).
2. Upload the dataset (${data}) under \`${o.dataset}\`, e.g.
   \`snow stage copy ./dataset ${o.dataset} --recursive\`.
3. Deploy the notebook: \`snow notebook deploy ${s.notebook.toLowerCase()} --replace\` (uses \`snowflake.yml\`), then
   allow PyPI if the recipe installs packages:
   \`ALTER NOTEBOOK ${s.database}.${s.schema}.${s.notebook} SET EXTERNAL_ACCESS_INTEGRATIONS = (${s.integration});\`
4. Open it in Snowsight and run all cells. Training runs on \`${s.computePool}\` (${o.gpus} GPU(s)); the ONNX model and
   \`model.json\` card are uploaded to \`${stageOut(o)}\` and the model is logged to the Model Registry as
   \`${s.database}.${s.schema}.${registryModelName(o)}\`.
5. When done: \`teardown.sql\` removes everything.

## Locally
\`\`\`sh
conda env create -f environment.yml && conda activate defectkit-${o.recipe}
python train.py --local --data <dataset folder> --out runs/${o.name}
\`\`\`
\`python train.py --help\` lists every option (epochs, image size, time limit, threads, resume, ...). The output folder
gets \`model.onnx\` and \`model.json\`, which \`defectkit detect --model <folder>\` reads directly.
`;
}
