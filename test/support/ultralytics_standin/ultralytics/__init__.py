"""A recording stand-in of the `ultralytics` package for test/notebooks-ultralytics.python.test.ts.

The real package is not installed on the test machine (and would download COCO checkpoints from GitHub). This one
records every call the emitted ultralytics train.py makes (to $ULTRALYTICS_STANDIN_LOG, JSON lines), refuses what the
real one would refuse (a data.yaml whose split folders do not exist, unknown checkpoint names), writes the files
training and export would write, and answers validation with fixed metrics. It checks our script, not Ultralytics.
"""
import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

__version__ = '8.3.0-standin'


def _log(event, **fields):
    with open(os.environ['ULTRALYTICS_STANDIN_LOG'], 'a', encoding='utf-8') as f:
        f.write(json.dumps({'event': event, **fields}) + '\n')


class YOLO:
    def __init__(self, model):
        model = str(model)
        if not (re.fullmatch(r'(yolov8|yolo11|yolo12)[nsmlx]\.(pt|yaml)', model) or model.endswith('best.pt')):
            raise FileNotFoundError(f'{model}: not a known checkpoint or model yaml')
        self.source = model
        self.model = SimpleNamespace(stride=[8.0, 16.0, 32.0])
        _log('init', model=model)

    def train(self, data, epochs, imgsz, batch, device, project, name, exist_ok, **extra):
        import yaml
        spec = yaml.safe_load(Path(data).read_text(encoding='utf-8'))
        root = Path(spec['path'])
        for split in ('train', 'val'):
            if not (root / spec[split]).is_dir():
                raise FileNotFoundError(f'{root / spec[split]}: {split} images not found')
        weights = Path(project) / name / 'weights'
        weights.mkdir(parents=True, exist_ok=True)
        (weights / 'best.pt').write_bytes(b'standin')
        _log('train', data=data, epochs=epochs, imgsz=imgsz, batch=batch, device=device, project=project, name=name,
             names=spec['names'], extra=extra)

    def val(self, data, imgsz, split, device):
        _log('val', data=data, imgsz=imgsz, split=split, device=device)
        return SimpleNamespace(ap_class_index=[0, 1], box=SimpleNamespace(ap50=[0.5, 0.25], map50=0.375, map=0.2))

    def export(self, format, imgsz, nms, dynamic, opset, simplify):
        _log('export', format=format, imgsz=imgsz, nms=nms, dynamic=dynamic, opset=opset, simplify=simplify)
        out = Path(self.source).with_suffix('.onnx')
        shutil.copyfile(os.environ['ULTRALYTICS_STANDIN_ONNX'], out)
        return str(out)
