import { describe, expect, it } from 'vitest';
import { NotebookOptionsError } from './errors.js';
import { resolveOptions, type EmitOptions } from './options.js';

function fieldOf(options: EmitOptions): string | undefined {
  try {
    resolveOptions(options);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(NotebookOptionsError);
    expect((error as NotebookOptionsError).code).toBe('NOTEBOOK_OPTIONS');
    return (error as NotebookOptionsError).details.field as string;
  }
}

describe('resolveOptions', () => {
  it('applies per-recipe defaults and picks the GPU family from --gpus', () => {
    const o = resolveOptions({ recipe: 'pcb-detector' });
    expect(o).toMatchObject({ name: 'pcb-defects', imgsz: 640, epochs: 300, channels: 1, gpus: 1 });
    expect(o.classes).toEqual(['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole']);
    expect(o.dataset).toBe('@DEFECTKIT_PCB_DEFECTS.TRAINING.DEFECTKIT_STAGE/datasets/pcb-defects');
    expect(o.snowflake.instanceFamily).toBe('GPU_NV_S');
    expect(resolveOptions({ recipe: 'faster-rcnn', gpus: 4 }).snowflake.instanceFamily).toBe('GPU_NV_M');
    expect(resolveOptions({ recipe: 'faster-rcnn', gpus: 8 }).snowflake.instanceFamily).toBe('GPU_NV_L');
    expect(resolveOptions({ recipe: 'classifier' })).toMatchObject({ imgsz: 224, classes: ['NORMAL', 'PNEUMONIA'] });
  });

  it('names every Snowflake object after the project, so two projects share none', () => {
    const a = resolveOptions({ recipe: 'pcb-detector' }).snowflake;
    const b = resolveOptions({ recipe: 'faster-rcnn' }).snowflake;
    for (const key of ['database', 'warehouse', 'computePool', 'role', 'networkRule', 'integration', 'notebook'] as const) expect(a[key]).not.toBe(b[key]);
    expect(a).toMatchObject({ database: 'DEFECTKIT_PCB_DEFECTS', computePool: 'DEFECTKIT_PCB_DEFECTS_POOL', integration: 'DEFECTKIT_PCB_DEFECTS_ACCESS' });
    expect(resolveOptions({ recipe: 'pcb-detector', snowflake: { computePool: 'SHARED_POOL' } }).snowflake.computePool).toBe('SHARED_POOL');
  });

  it('picks the instance family of the cloud, and an explicit family wins', () => {
    expect(resolveOptions({ recipe: 'faster-rcnn', cloud: 'azure', gpus: 2 }).snowflake.instanceFamily).toBe('GPU_NV_2M');
    expect(resolveOptions({ recipe: 'faster-rcnn', cloud: 'azure', gpus: 3 }).snowflake.instanceFamily).toBe('GPU_NV_SL');
    expect(resolveOptions({ recipe: 'faster-rcnn', cloud: 'gcp', gpus: 1 }).snowflake.instanceFamily).toBe('GPU_GCP_NV_L4_1_24G');
    expect(resolveOptions({ recipe: 'faster-rcnn', cloud: 'gcp', gpus: 8 }).snowflake.instanceFamily).toBe('GPU_GCP_NV_A100_8_40G');
    expect(fieldOf({ recipe: 'faster-rcnn', cloud: 'azure', gpus: 8 })).toBe('gpus');
    expect(fieldOf({ recipe: 'faster-rcnn', cloud: 'ibm' as never })).toBe('cloud');
    expect(resolveOptions({ recipe: 'faster-rcnn', cloud: 'azure', gpus: 8, snowflake: { instanceFamily: 'GPU_NV_XL' } }).snowflake.instanceFamily).toBe('GPU_NV_XL');
  });

  it('turns transfer learning on by default where the recipe has weights, and checks the source', () => {
    expect(resolveOptions({ recipe: 'classifier' }).pretrained).toBe('imagenet');
    expect(resolveOptions({ recipe: 'classifier', pretrained: false }).pretrained).toBe('none');
    expect(resolveOptions({ recipe: 'faster-rcnn', backbone: 'resnet50_fpn' }).pretrained).toBe('coco');
    expect(resolveOptions({ recipe: 'faster-rcnn', backbone: 'resnet50_fpn', pretrained: 'imagenet' }).pretrained).toBe('imagenet');
    expect(resolveOptions({ recipe: 'faster-rcnn', backbone: 'resnet18_fpn', pretrained: true }).pretrained).toBe('imagenet');
    expect(resolveOptions({ recipe: 'faster-rcnn' }).pretrained).toBe('none'); // tiny has no weights
    expect(resolveOptions({ recipe: 'ultralytics' }).pretrained).toBe('coco');
    expect(fieldOf({ recipe: 'faster-rcnn', backbone: 'resnet18_fpn', pretrained: 'coco' })).toBe('pretrained');
    expect(fieldOf({ recipe: 'pcb-detector', pretrained: 'imagenet' })).toBe('pretrained');
  });

  it('names the offending field', () => {
    expect(fieldOf({ recipe: 'yolo' as never })).toBe('recipe');
    expect(fieldOf({ recipe: 'pcb-detector', epochs: 0 })).toBe('epochs');
    expect(fieldOf({ recipe: 'pcb-detector', epochs: 1.5 })).toBe('epochs');
    expect(fieldOf({ recipe: 'pcb-detector', imgsz: 600 })).toBe('imgsz');
    expect(fieldOf({ recipe: 'pcb-detector', gpus: 9 })).toBe('gpus');
    expect(fieldOf({ recipe: 'pcb-detector', classes: ['a', 'a'] })).toBe('classes');
    expect(fieldOf({ recipe: 'pcb-detector', classes: ['ok', "qu'ote"] })).toBe('classes[1]');
    expect(fieldOf({ recipe: 'classifier', classes: ['only'] })).toBe('classes');
    expect(fieldOf({ recipe: 'pcb-detector', channels: 2 as never })).toBe('channels');
    expect(fieldOf({ recipe: 'faster-rcnn', backbone: 'vit' as never })).toBe('backbone');
    expect(fieldOf({ recipe: 'ultralytics', weights: 'yolov5s.pt' })).toBe('weights');
    expect(fieldOf({ recipe: 'classifier', arch: 'alexnet' as never })).toBe('arch');
    expect(fieldOf({ recipe: 'pcb-detector', name: 'Bad Name' })).toBe('name');
    expect(fieldOf({ recipe: 'pcb-detector', dataset: "@S/x'; DROP" })).toBe('dataset');
    expect(fieldOf({ recipe: 'pcb-detector', snowflake: { database: 'db; drop' } })).toBe('snowflake.database');
    expect(fieldOf({ recipe: 'ultralytics', weights: 'yolo12x.pt' })).toBeUndefined();
  });
});
