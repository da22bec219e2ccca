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
    expect(o.dataset).toBe('@DEFECTKIT.TRAINING.DEFECTKIT_STAGE/datasets/pcb-defects');
    expect(o.snowflake.instanceFamily).toBe('GPU_NV_S');
    expect(resolveOptions({ recipe: 'faster-rcnn', gpus: 4 }).snowflake.instanceFamily).toBe('GPU_NV_M');
    expect(resolveOptions({ recipe: 'faster-rcnn', gpus: 8 }).snowflake.instanceFamily).toBe('GPU_NV_L');
    expect(resolveOptions({ recipe: 'classifier' })).toMatchObject({ imgsz: 224, classes: ['NORMAL', 'PNEUMONIA'] });
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
