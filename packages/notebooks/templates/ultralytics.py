# %% [markdown]
# # DefectKit `ultralytics` training
#
# Ultralytics YOLO (YOLOv8, YOLO11 or YOLO12 weights, chosen by name) trained on a YOLO-format
# dataset, for accounts whose notebooks may `pip install ultralytics` (the external access
# integration from `setup.sql` allows PyPI). The export keeps the raw head (`nms=False`), so the
# ONNX output is `[B, 4+nc, A]` and the DefectKit detector decodes it like any Ultralytics export.
#
# Run it locally with `python train.py --local --data <yolo folder> --out <folder>`.

# %%
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# Options chosen when this project was emitted (`defectkit notebook emit`); flags override them.
CONFIG = json.loads(__DEFECTKIT_CONFIG__)

# %% [markdown]
# ## Options

# %%
# defectkit:include script_argv


# defectkit:include inspection_log


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='DefectKit ultralytics training')
    p.add_argument('--local', action='store_true', help='read a local YOLO folder, write to a local folder')
    p.add_argument('--data', default=CONFIG['dataset'], help='YOLO folder (local) or stage path (Snowflake)')
    p.add_argument('--out', default=CONFIG.get('out', 'runs/ultralytics'))
    p.add_argument('--name', default=CONFIG['name'])
    p.add_argument('--classes', default=','.join(CONFIG['classes']))
    p.add_argument('--weights', default=CONFIG['weights'], help='yolov8n.pt, yolo11s.pt, yolo12m.pt, ...')
    p.add_argument('--pretrained', nargs='?', const='coco', default=CONFIG.get('pretrained', 'coco'), choices=['coco', 'none'],
                   help='coco: start from the COCO checkpoint (downloaded from GitHub); none: the same network from its yaml')
    p.add_argument('--no-pretrained', dest='pretrained', action='store_const', const='none')
    p.add_argument('--imgsz', type=int, default=CONFIG['imgsz'])
    p.add_argument('--epochs', type=int, default=CONFIG['epochs'])
    p.add_argument('--batch', type=int, default=CONFIG['batch'])
    p.add_argument('--gpus', type=int, default=CONFIG.get('gpus', 1), help='GPUs (Ultralytics runs DDP itself)')
    p.add_argument('--device', default='auto', help="'cpu', '0', '0,1', ... or auto")
    p.add_argument('--time-limit-min', type=float, default=0, help='0 = no cap (Ultralytics "time" in hours)')
    p.add_argument('--stage-out', default=CONFIG.get('stageOut', ''))
    p.add_argument('--registry-model', default=CONFIG.get('registryModel', ''))
    add_inspection_log_args(p)
    return p.parse_args(argv)


ARGS = parse_args(script_argv())

# %% [markdown]
# ## Install Ultralytics
# The Container Runtime image does not ship Ultralytics: install it from PyPI when it is missing
# (needs the notebook's external access integration).

# %%
def ensure_ultralytics():
    try:
        import ultralytics  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet', 'ultralytics>=8.3'])


ensure_ultralytics()

# %% [markdown]
# ## Dataset
# Ultralytics reads `data.yaml`. Its `path` is rewritten to where the dataset is now (a stage
# copied to disk has moved), into a copy: the source is never modified.

# %%
def prepare_data_yaml(data_dir, out_dir, classes):
    import yaml
    src = data_dir / 'data.yaml'
    spec = yaml.safe_load(src.read_text(encoding='utf-8'))
    names = spec['names']
    names = [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    wanted = [c for c in classes.split(',') if c]
    if wanted and wanted != names:
        raise ValueError(f'{src}: names {names} differ from --classes {wanted}')
    spec['path'] = str(data_dir.resolve())
    spec['names'] = {i: n for i, n in enumerate(names)}
    spec.pop('nc', None)
    out_dir.mkdir(parents=True, exist_ok=True)
    dst = out_dir / 'data.yaml'
    dst.write_text(yaml.safe_dump(spec, sort_keys=False), encoding='utf-8')
    return dst, names

# %% [markdown]
# ## Train, validate, export
# Ultralytics trains (with DistributedDataParallel over `--gpus` GPUs), validates the best weights
# on the `val` split and exports ONNX with `nms=False` and a dynamic batch axis.

# %%
def run(args, data_dir, out_dir, log=print):
    from ultralytics import YOLO
    import torch
    data_yaml, names = prepare_data_yaml(data_dir, out_dir, args.classes)
    if args.device == 'auto':
        n = torch.cuda.device_count()
        device = ','.join(str(i) for i in range(min(args.gpus, n))) if n else 'cpu'
    else:
        device = args.device
    t0 = time.time()
    # A checkpoint name (`yolo11s.pt`) loads COCO weights; its `.yaml` builds the same network untrained.
    model = YOLO(args.weights if args.pretrained == 'coco' else args.weights[:-3] + '.yaml')
    extra = {'time': args.time_limit_min / 60} if args.time_limit_min else {}
    model.train(data=str(data_yaml), epochs=args.epochs, imgsz=args.imgsz, batch=args.batch, device=device,
                project=str(out_dir.resolve()), name='train', exist_ok=True, **extra)
    seconds = time.time() - t0
    best = YOLO(str(out_dir / 'train' / 'weights' / 'best.pt'))
    metrics = best.val(data=str(data_yaml), imgsz=args.imgsz, split='val', device=device.split(',')[0])
    ap50 = {names[int(c)]: float(v) for c, v in zip(metrics.ap_class_index, metrics.box.ap50)}
    onnx_file = best.export(format='onnx', imgsz=args.imgsz, nms=False, dynamic=True, opset=12, simplify=False)
    tmp = out_dir / 'model.onnx.tmp'
    shutil.copyfile(onnx_file, tmp)
    os.replace(tmp, out_dir / 'model.onnx')
    card = {
        'format': 'defectkit.model-card/v1', 'name': args.name, 'task': 'detect', 'classes': names,
        'input': {'name': 'images', 'width': args.imgsz, 'height': args.imgsz, 'channels': 3, 'resize': 'letterbox',
                  'batchAxis': True, 'stride': int(max(best.model.stride)), 'padValue': 114, 'scale': 1 / 255,
                  'mean': None, 'std': None},
        'output': {'layout': 'ultralytics-bcn'},
        'thresholds': {'conf': 0.25, 'iou': 0.7, 'maxDet': 300},
        'recipe': {'name': 'ultralytics', 'options': {'weights': args.weights, 'pretrained': args.pretrained, 'imgsz': args.imgsz,
                                                      'epochs': args.epochs, 'batch': args.batch}},
        'training': {'data': str(args.data), 'epochs': args.epochs, 'seconds': round(seconds), 'device': device},
        'metrics': {'split': 'val', 'evaluator': 'ultralytics val',
                    'coco': {'map50': float(metrics.box.map50), 'map50_95': float(metrics.box.map)},
                    'perClassAp50': ap50},
    }
    tmp = out_dir / 'model.json.tmp'
    tmp.write_text(json.dumps(card, indent=2) + '\n', encoding='utf-8')
    os.replace(tmp, out_dir / 'model.json')
    log(f'wrote {out_dir / "model.onnx"} and model.json (val mAP50 {card["metrics"]["coco"]["map50"]:.4f})')
    return card

# %% [markdown]
# ## Snowflake: stage in, stage out, Model Registry
# The dataset stage is copied to the container's disk; the ONNX file and card go back to a stage
# and the model is logged to the registry as a custom model that runs `defectkit_handler.py` (written
# beside this script): `PREDICT` takes the encoded image bytes and answers detections in image pixels.

# %%
# defectkit:include stage_download


# defectkit:include log_to_registry

# %% [markdown]
# ## Run

# %%
def main(args):
    # Absolute: distributed workers and libraries may run in another working directory.
    out_dir = Path(args.out).resolve()
    if args.local:
        run(args, Path(args.data).resolve(), out_dir)
        return
    from snowflake.snowpark.context import get_active_session
    session = get_active_session()
    data_dir = stage_download(session, args.data, Path('/tmp/defectkit-data'))
    card = run(args, data_dir, out_dir)
    if args.stage_out:
        for f in ('model.onnx', 'model.json'):
            session.file.put(str(out_dir / f), args.stage_out, auto_compress=False, overwrite=True)
    if args.registry_model:
        version = log_to_registry(session, out_dir, card, args.registry_model)
        if args.infer_images:
            batch_inference(session, version, args.infer_images, args.log_database, args.log_schema, args.line, args.shift)


if __name__ == '__main__':
    main(ARGS)
