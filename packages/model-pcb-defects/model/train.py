# %% [markdown]
# # DefectKit `pcb-detector` training
#
# A compact single-stage, anchor-free detector written in plain PyTorch (no Ultralytics needed).
# It trains on crops cut at native resolution, keeps the best checkpoint by validation mAP50 and
# exports ONNX in the Ultralytics raw layout `[B, 4+nc, A]` (cx, cy, w, h in input pixels, sigmoid
# class scores), with Ultralytics-style metadata and a DefectKit `model.json` card beside it.
#
# With `--reference diff` it inspects a board against its golden template (the defect-free board of
# the same design): the network takes the image and its reference stacked as channels and works on the
# image and the signed difference (image - reference), computed inside the graph; `--reference stack`
# feeds the two stacked planes to the first convolution as they are. Both take the same input and can
# learn the same functions (the first layer is linear); they differ in how training starts. Defect-free
# boards (images without a label file, e.g. DeepPCB's `_temp` templates) are used as negatives either way.
#
# The same file runs three ways:
# - as a Snowflake Notebook on a GPU compute pool (dataset read from a stage, model logged to the
#   Model Registry),
# - as a plain script in Snowflake (`python train.py`),
# - locally: `python train.py --local --data <yolo folder> --out <folder>`.

# %%
import argparse
import ast
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Options chosen when this project was emitted (`defectkit notebook emit`); flags override them.
CONFIG = json.loads("{\"recipe\":\"pcb-detector\",\"name\":\"pcb-defects\",\"version\":\"0.1.0\",\"dataset\":\"@DEFECTKIT_PCB_DEFECTS.TRAINING.DEFECTKIT_STAGE/datasets/pcb-defects\",\"out\":\"runs/pcb-defects\",\"classes\":[\"open\",\"short\",\"mousebite\",\"spur\",\"copper\",\"pin-hole\"],\"channels\":1,\"imgsz\":640,\"crop\":320,\"width\":1,\"epochs\":300,\"batch\":16,\"timeLimitMin\":0,\"gpus\":1,\"stageOut\":\"@DEFECTKIT_PCB_DEFECTS.TRAINING.DEFECTKIT_STAGE/models/pcb-defects\",\"registryModel\":\"PCB_DEFECTS\",\"inspectionLog\":{\"database\":\"DEFECTKIT_PCB_DEFECTS\",\"schema\":\"TRAINING\",\"images\":\"@DEFECTKIT_PCB_DEFECTS.TRAINING.DEFECTKIT_STAGE/inbox/pcb-defects\",\"line\":null,\"shift\":null}}")

# %% [markdown]
# ## Options
# Every option has a command-line flag. In a notebook the emitted defaults are used as they are:
# edit `CONFIG` above, or the `ARGS` overrides below, to change them.

# %%
def script_argv():
    """The command-line flags when this file runs as a script, else none.

    A notebook kernel (ipykernel, Snowflake's or any other) and a module import have an argv of their own that is not
    ours, and no `__file__` in the cell's namespace: the emitted CONFIG is then all there is.
    """
    if __name__ != '__main__' or '__file__' not in globals() or not sys.argv:
        return []
    here = os.path.realpath(globals()['__file__'])
    return sys.argv[1:] if os.path.realpath(sys.argv[0]) == here else []


# The inspection log's columns, in the order `defectkit snowflake setup` creates them (@defectkit/inspection).
BOARD_COLUMNS = ['INFERENCE_ID', 'BOARD_ID', 'IMAGE_PATH', 'TIMESTAMP', 'FACTORY_LINE_ID', 'SHIFT', 'MODEL_NAME',
                 'MODEL_VERSION', 'VERDICT', 'DEFECT_COUNT', 'IMAGE_WIDTH', 'IMAGE_HEIGHT', 'INFERENCE_MS']
DEFECT_COLUMNS = ['DEFECT_ID', 'INFERENCE_ID', 'BOARD_ID', 'TIMESTAMP', 'DETECTED_CLASS', 'CONFIDENCE_SCORE',
                  'BOUNDING_BOX_COORDINATES', 'MODEL_NAME', 'MODEL_VERSION', 'FACTORY_LINE_ID', 'SHIFT', 'SOURCE',
                  'REVIEW_VERDICT', 'REVIEWER', 'REVIEWED_AT']


def add_inspection_log_args(p):
    """Flags of the batch-inference step (defaults from CONFIG['inspectionLog'])."""
    cfg = CONFIG.get('inspectionLog') or {}
    p.add_argument('--infer-images', default=cfg.get('images', ''),
                   help='stage folder of board images to run the logged model on ("" skips the step)')
    p.add_argument('--log-database', default=cfg.get('database', ''), help='database of the inspection log tables')
    p.add_argument('--log-schema', default=cfg.get('schema', ''), help='schema of the inspection log tables')
    p.add_argument('--line', default=cfg.get('line'), help='FACTORY_LINE_ID of the logged boards')
    p.add_argument('--shift', default=cfg.get('shift'), help='SHIFT of the logged boards')


def stable_id(*parts):
    """A UUID-shaped id from a SHA-256 of the parts (the same scheme as `defectkit log`): re-running logs no duplicates."""
    import hashlib
    digest = hashlib.sha256(json.dumps(list(parts), separators=(',', ':'), ensure_ascii=False).encode('utf-8')).hexdigest()
    return f'{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}'


def iso_millis(at):
    """`2026-11-30T06:00:00.000Z`: the UTC text JavaScript's toISOString writes (part of the ids)."""
    return at.strftime('%Y-%m-%dT%H:%M:%S.') + f'{at.microsecond // 1000:03d}Z'


def inspection_rows(image_path, index, prediction, model_name, model_version, at, line=None, shift=None, inference_ms=None):
    """One board's log rows from one PREDICT answer: (board row, defect rows), dicts keyed by the log's columns.

    Clean boards get a row too (VERDICT 'pass'), so yield can be computed; every detection is a model call
    (SOURCE 'model') waiting for review (REVIEW_VERDICT NULL).
    """
    detections = prediction.get('DETECTIONS') or []
    if isinstance(detections, str):
        detections = json.loads(detections)
    board_id = os.path.splitext(os.path.basename(image_path))[0]
    inference_id = stable_id(iso_millis(at), model_name, model_version, index, image_path)
    board = {'INFERENCE_ID': inference_id, 'BOARD_ID': board_id, 'IMAGE_PATH': image_path, 'TIMESTAMP': at,
             'FACTORY_LINE_ID': line, 'SHIFT': shift, 'MODEL_NAME': model_name, 'MODEL_VERSION': model_version,
             'VERDICT': 'fail' if detections else 'pass', 'DEFECT_COUNT': len(detections),
             'IMAGE_WIDTH': int(prediction['WIDTH']), 'IMAGE_HEIGHT': int(prediction['HEIGHT']), 'INFERENCE_MS': inference_ms}
    defects = [{'DEFECT_ID': stable_id(inference_id, n), 'INFERENCE_ID': inference_id, 'BOARD_ID': board_id, 'TIMESTAMP': at,
                'DETECTED_CLASS': d['label'], 'CONFIDENCE_SCORE': float(d['score']),
                'BOUNDING_BOX_COORDINATES': json.dumps([float(d['x1']), float(d['y1']), float(d['x2']), float(d['y2'])]),
                'MODEL_NAME': model_name, 'MODEL_VERSION': model_version, 'FACTORY_LINE_ID': line, 'SHIFT': shift,
                'SOURCE': 'model', 'REVIEW_VERDICT': None,
                'REVIEWER': None, 'REVIEWED_AT': None} for n, d in enumerate(detections)]
    return board, defects


def batch_inference(session, model_version, images_stage, database, schema, line=None, shift=None, batch=16, log=print):
    """Runs the logged model's PREDICT on every image under a stage folder and appends the boards and their defect
    calls to the inspection log (BOARD_INSPECTIONS, DEFECT_LOGS: create them with `defectkit snowflake setup`)."""
    import datetime
    import pandas as pd
    images_stage = images_stage.rstrip('/')
    prefix = images_stage.split('/', 1)[1] + '/' if '/' in images_stage else ''
    rels = []
    for r in session.sql(f"LIST {images_stage}/").collect():
        name = r['name']
        rel = name.split('/', 1)[1][len(prefix):] if '/' in name else name
        if rel.lower().endswith(('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')):
            rels.append(rel)
    if not rels:
        log(f'batch inference: no images under {images_stage}: nothing logged')
        return 0
    at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    boards, defects = [], []
    for start in range(0, len(rels), batch):
        chunk = rels[start:start + batch]
        images = [session.file.get_stream(f'{images_stage}/{rel}').read() for rel in chunk]
        t0 = time.time()
        out = model_version.run(pd.DataFrame({'IMAGE': images}), function_name='predict')
        ms = (time.time() - t0) * 1000 / len(chunk)
        for i, (rel, row) in enumerate(zip(chunk, out.to_dict('records'))):
            board, calls = inspection_rows(f'{images_stage}/{rel}', start + i, row, model_version.model_name,
                                           model_version.version_name, at, line, shift, ms)
            boards.append(board)
            defects += calls
    for table, rows, columns in (('BOARD_INSPECTIONS', boards, BOARD_COLUMNS), ('DEFECT_LOGS', defects, DEFECT_COLUMNS)):
        if rows:
            session.write_pandas(pd.DataFrame(rows, columns=columns), table, database=database, schema=schema,
                                 quote_identifiers=True, auto_create_table=False, overwrite=False)
    log(f'batch inference: {len(boards)} boards, {len(defects)} defect calls logged to {database}.{schema}')
    return len(boards)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='DefectKit pcb-detector training')
    p.add_argument('--local', action='store_true', help='read a local YOLO folder, write to a local folder')
    p.add_argument('--data', default=CONFIG['dataset'], help='YOLO folder (local) or stage path (Snowflake)')
    p.add_argument('--out', default=CONFIG.get('out', 'runs/pcb-detector'), help='output folder')
    p.add_argument('--name', default=CONFIG['name'])
    p.add_argument('--classes', default=','.join(CONFIG['classes']), help='comma-separated class names')
    p.add_argument('--channels', type=int, default=CONFIG['channels'], choices=[1, 3])
    p.add_argument('--imgsz', type=int, default=CONFIG['imgsz'], help='network input size (square)')
    p.add_argument('--crop', type=int, default=CONFIG['crop'], help='training crop size, 0 = whole image')
    p.add_argument('--near-defect', type=float, default=0.8, help='share of crops that contain a defect')
    p.add_argument('--reference', default=CONFIG.get('reference', 'none'), choices=['none', 'diff', 'stack'],
                   help='none: the image alone; diff: the image and its golden reference (X_test.jpg pairs with X_temp.jpg beside it; a template is its own reference), the network working on the image and image - reference; stack: the same input, the two planes as they are')
    p.add_argument('--reference-shift', type=int, default=2, help='training: shift the reference by up to N pixels (misalignment on a real line)')
    p.add_argument('--clean-share', type=float, default=0.25, help='share of training crops cut from defect-free images (images without labels), when there are any')
    p.add_argument('--width', type=float, default=CONFIG['width'], help='channel multiplier')
    p.add_argument('--epochs', type=int, default=CONFIG['epochs'])
    p.add_argument('--crops-per-epoch', type=int, default=0, help='0 = one crop per training image')
    p.add_argument('--batch', type=int, default=CONFIG['batch'])
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--weight-decay', type=float, default=5e-4)
    p.add_argument('--time-limit-min', type=float, default=CONFIG.get('timeLimitMin', 0), help='0 = no cap')
    p.add_argument('--threads', type=int, default=0, help='CPU threads for torch, 0 = leave as is')
    p.add_argument('--device', default='auto')
    p.add_argument('--gpus', type=int, default=CONFIG.get('gpus', 1), help='recorded only: this recipe trains on one GPU (use faster-rcnn or ultralytics for several)')
    p.add_argument('--resume', action='store_true', help='continue from <out>/last.pt')
    p.add_argument('--init', default='', help='start from the weights of another run of this recipe (its best.pt or last.pt, same width); a single-image run can seed a --reference run')
    p.add_argument('--eval-every', type=int, default=1, help='validate every N epochs')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--max-images', type=int, default=0, help='use only the first N images of each split (smoke runs)')
    p.add_argument('--stage-out', default=CONFIG.get('stageOut', ''), help='Snowflake: stage path for outputs')
    p.add_argument('--registry-model', default=CONFIG.get('registryModel', ''), help='Snowflake: Model Registry name')
    add_inspection_log_args(p)
    return p.parse_args(argv)


# In a notebook there is no command line: use the emitted defaults.
ARGS = parse_args(script_argv())

# %% [markdown]
# ## Dataset
# A YOLO-format folder: `data.yaml` (with `train`, `val` and `names`), `images/` and `labels/`
# (one `class cx cy w h` line per box, normalised). Images are letterboxed to `imgsz` once (a no-op
# for 640x640 PCB scans), then training crops are cut at that native resolution: most of them
# around a defect, the rest anywhere.

# %%
def read_yaml(path):
    import yaml
    with open(path, 'r', encoding='utf-8') as f:
        return yaml.safe_load(f)


def open_yolo_dataset(data_dir, wanted):
    """Reads `data.yaml` of a YOLO folder (a local one or the stage copy): (class names, split root, spec).

    `wanted` (the --classes names, or empty) must equal the yaml's names. Split folders are relative to the yaml's
    `path`; a `path` that does not exist here (the machine that wrote it) falls back to the yaml's own folder.
    """
    spec = read_yaml(data_dir / 'data.yaml')
    names = spec['names']
    names = [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    if wanted and list(wanted) != names:
        raise ValueError(f'{data_dir / "data.yaml"}: names {names} differ from --classes {list(wanted)}')
    root = Path(spec.get('path') or data_dir)
    root = root if root.is_absolute() else data_dir / root
    if not root.is_dir():
        root = data_dir
    return names, root, spec


def list_split(root, entry):
    """Image paths of one split: a folder, a .txt list, or a list of either (Ultralytics semantics)."""
    exts = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')
    entries = entry if isinstance(entry, list) else [entry]
    out = []
    for e in entries:
        p = Path(e) if Path(e).is_absolute() else root / e
        if p.is_dir():
            out += sorted(str(q) for q in p.rglob('*') if q.suffix.lower() in exts)
        elif p.suffix == '.txt':
            for line in p.read_text(encoding='utf-8').splitlines():
                line = line.strip()
                if line:
                    q = Path(line)
                    out.append(str(q if q.is_absolute() else root / q))
        else:
            raise FileNotFoundError(f'{p}: split entry is neither a folder nor a .txt list')
    return out


def label_path(img_path):
    # Ultralytics convention: the last /images/ in the path becomes /labels/, the suffix .txt.
    s = str(img_path)
    i = s.rfind(os.sep + 'images' + os.sep)
    if i < 0:
        raise ValueError(f'{s}: image path has no images/ folder to map to labels/')
    return os.path.splitext(s[:i] + os.sep + 'labels' + os.sep + s[i + 8:])[0] + '.txt'


def load_image(path, channels, imgsz):
    import cv2
    flag = cv2.IMREAD_GRAYSCALE if channels == 1 else cv2.IMREAD_COLOR
    im = cv2.imread(path, flag)
    if im is None:
        raise ValueError(f'{path}: cannot decode image')
    if channels == 3:
        im = cv2.cvtColor(im, cv2.COLOR_BGR2RGB)
    h0, w0 = im.shape[:2]
    r = min(imgsz / h0, imgsz / w0)
    nw, nh = round(w0 * r), round(h0 * r)
    if (nw, nh) != (w0, h0):
        im = cv2.resize(im, (nw, nh), interpolation=cv2.INTER_AREA if r < 1 else cv2.INTER_LINEAR)
    # Centred letterbox with pad 114, as the DefectKit detector does at inference.
    px, py = (imgsz - nw) / 2, (imgsz - nh) / 2
    left, top = int(round(px - 0.1)), int(round(py - 0.1))
    if im.ndim == 2:
        im = im[:, :, None]
    canvas = np.full((imgsz, imgsz, im.shape[2]), 114, dtype=np.uint8)
    canvas[top:top + nh, left:left + nw] = im
    return canvas, (r, left, top, w0, h0)


def reference_path(path):
    """The golden reference of an image, DeepPCB naming: X_test.jpg pairs with X_temp.jpg beside it; a template
    (X_temp.jpg, a defect-free board) is its own reference."""
    stem, ext = os.path.splitext(path)
    if stem.endswith('_temp'):
        return path
    if stem.endswith('_test') and os.path.exists(stem[:-5] + '_temp' + ext):
        return stem[:-5] + '_temp' + ext
    raise FileNotFoundError(f'{path}: no reference image (expected {stem[:-5] if stem.endswith("_test") else stem}_temp{ext} beside it)')


def load_input(path, args):
    """The network input of one image at imgsz: the image, then its reference's channels with --reference."""
    im, geo = load_image(path, args.channels, args.imgsz)
    if args.reference == 'none':
        return im, geo
    ref, rgeo = load_image(reference_path(path), args.channels, args.imgsz)
    if rgeo != geo:
        raise ValueError(f'{path}: its reference has another size ({rgeo[3]}x{rgeo[4]} against {geo[3]}x{geo[4]})')
    return np.concatenate([im, ref], 2), geo


def load_labels(path, w0, h0, r, left, top, nc):
    boxes = []
    if os.path.exists(path):
        with open(path, 'r', encoding='utf-8') as f:
            for n, line in enumerate(f, 1):
                parts = line.split()
                if not parts:
                    continue
                if len(parts) != 5:
                    raise ValueError(f'{path}:{n}: expected "class cx cy w h", got {line.strip()!r}')
                c, cx, cy, w, h = int(parts[0]), *map(float, parts[1:])
                if not 0 <= c < nc:
                    raise ValueError(f'{path}:{n}: class {c} is outside 0..{nc - 1}')
                x1, y1 = (cx - w / 2) * w0 * r + left, (cy - h / 2) * h0 * r + top
                x2, y2 = (cx + w / 2) * w0 * r + left, (cy + h / 2) * h0 * r + top
                boxes.append([x1, y1, x2, y2, c])
    return np.array(boxes, dtype=np.float32).reshape(-1, 5)


def load_split(root, entry, args, nc):
    paths = list_split(root, entry)
    if args.max_images:
        paths = paths[:args.max_images]
    if not paths:
        raise ValueError(f'{root}: split {entry!r} has no images')
    images, labels = [], []
    for p in paths:
        im, (r, left, top, w0, h0) = load_input(p, args)
        images.append(im)
        labels.append(load_labels(label_path(p), w0, h0, r, left, top, nc))
    return paths, images, labels


def sample_crop(im, boxes, crop, near_defect, rng):
    """A crop x crop window, most often around a random box; boxes mostly outside it are dropped."""
    H, W = im.shape[:2]
    if crop <= 0 or crop >= min(H, W):
        return im, boxes.copy()
    if len(boxes) and rng.random() < near_defect:
        x1, y1, x2, y2 = boxes[rng.integers(len(boxes)), :4]
        lo_x, hi_x = max(0, int(x2) - crop), min(W - crop, int(x1))
        lo_y, hi_y = max(0, int(y2) - crop), min(H - crop, int(y1))
        ox = rng.integers(lo_x, hi_x + 1) if hi_x >= lo_x else rng.integers(0, W - crop + 1)
        oy = rng.integers(lo_y, hi_y + 1) if hi_y >= lo_y else rng.integers(0, H - crop + 1)
    else:
        ox, oy = rng.integers(0, W - crop + 1), rng.integers(0, H - crop + 1)
    out = im[oy:oy + crop, ox:ox + crop]
    b = boxes.copy()
    if len(b):
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        b[:, [0, 2]] = np.clip(b[:, [0, 2]] - ox, 0, crop)
        b[:, [1, 3]] = np.clip(b[:, [1, 3]] - oy, 0, crop)
        kept = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        b = b[(kept >= 0.5 * area) & (b[:, 2] - b[:, 0] >= 4) & (b[:, 3] - b[:, 1] >= 4)]
    return out, b


def augment(im, b, rng):
    """Flips and quarter turns: defect classes do not depend on orientation."""
    S = im.shape[0]
    if rng.random() < 0.5:
        im = im[:, ::-1]
        b = b.copy(); b[:, [0, 2]] = S - b[:, [2, 0]]
    if rng.random() < 0.5:
        im = im[::-1, :]
        b = b.copy(); b[:, [1, 3]] = S - b[:, [3, 1]]
    if rng.random() < 0.5:  # transpose = quarter turn combined with a flip
        im = im.transpose(1, 0, 2)
        b = b[:, [1, 0, 3, 2, 4]].copy()
    return np.ascontiguousarray(im), b


def shift_reference(im, channels, limit, rng):
    """Moves the reference channels by up to `limit` pixels (edges repeated), as a misaligned scan would."""
    dx, dy = (int(v) for v in rng.integers(-limit, limit + 1, 2))
    if dx == 0 and dy == 0:
        return im
    ref = np.pad(im[:, :, channels:], ((max(dy, 0), max(-dy, 0)), (max(dx, 0), max(-dx, 0)), (0, 0)), mode='edge')
    H, W = im.shape[:2]
    ref = ref[max(-dy, 0):max(-dy, 0) + H, max(-dx, 0):max(-dx, 0) + W]
    return np.concatenate([im[:, :, :channels], ref], 2)


def make_batch(images, labels, idx, args, rng, train=True):
    ims, tgts = [], []
    for k, i in enumerate(idx):
        if train:
            im, b = sample_crop(images[i], labels[i], args.crop, args.near_defect, rng)
            if args.reference != 'none' and args.reference_shift > 0 and rng.random() < 0.5:
                im = shift_reference(im, args.channels, args.reference_shift, rng)
            im, b = augment(im, b, rng)
        else:
            im, b = images[i], labels[i]
        ims.append(im)
        tgts.append(torch.from_numpy(b))
    x = torch.from_numpy(np.stack(ims)).permute(0, 3, 1, 2).float().div_(255.0)
    return x, tgts

# %% [markdown]
# ## Model
# A cheap stem brings the image to stride 8 with few channels (full-resolution layers dominate the
# cost on CPU), CSP blocks at strides 8/16/32 give context, a top-down path brings it back to the
# single stride-8 head. The head predicts box side distances (left, top, right, bottom) and one
# sigmoid score per class at every cell: no anchors, no objectness.

# %%
def ch(c, width):
    return max(8, int(round(c * width / 8)) * 8)


class ConvBN(nn.Module):
    def __init__(self, c1, c2, k=1, s=1, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.ReLU(inplace=True) if act else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c, shortcut=True):
        super().__init__()
        self.cv1 = ConvBN(c, c, 3)
        self.cv2 = ConvBN(c, c, 3)
        self.add = shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class CSP(nn.Module):
    """Split, run n bottlenecks on one half, concatenate every intermediate, mix with a 1x1."""

    def __init__(self, c1, c2, n=1, shortcut=True):
        super().__init__()
        self.h = c2 // 2
        self.cv1 = ConvBN(c1, 2 * self.h, 1)
        self.m = nn.ModuleList(Bottleneck(self.h, shortcut) for _ in range(n))
        self.cv2 = ConvBN((2 + n) * self.h, c2, 1)

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1, c2, k=5):
        super().__init__()
        h = c1 // 2
        self.cv1 = ConvBN(c1, h, 1)
        self.cv2 = ConvBN(h * 4, c2, 1)
        self.m = nn.MaxPool2d(k, 1, k // 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat([x, y1, y2, self.m(y2)], 1))


class PcbDetector(nn.Module):
    stride = 8

    def __init__(self, nc, channels=1, width=1.0, reference='none'):
        super().__init__()
        c8, c16, c32 = ch(64, width), ch(128, width), ch(192, width)
        self.nc = nc
        self.channels, self.reference = channels, reference
        self.stem = nn.Sequential(
            ConvBN(channels * (1 if reference == 'none' else 2), ch(16, width), 3, 2),
            ConvBN(ch(16, width), ch(32, width), 3, 2),
            ConvBN(ch(32, width), c8, 3, 2),
        )
        self.s8 = CSP(c8, c8, 1)
        self.down16 = ConvBN(c8, c16, 3, 2)
        self.s16 = CSP(c16, c16, 2)
        self.down32 = ConvBN(c16, c32, 3, 2)
        self.s32 = nn.Sequential(CSP(c32, c32, 1), SPPF(c32, c32))
        self.up16 = CSP(c32 + c16, c16, 1, shortcut=False)
        self.up8 = CSP(c16 + c8, c8, 1, shortcut=False)
        self.head = nn.Sequential(ConvBN(c8, c8, 3, 1, g=c8), ConvBN(c8, c8, 1))
        self.box = nn.Conv2d(c8, 4, 1)
        self.cls = nn.Conv2d(c8, nc, 1)
        nn.init.constant_(self.box.bias, 1.0)  # softplus(1) * 8 ~ 10 px per side at start
        nn.init.constant_(self.cls.bias, -math.log((1 - 0.01) / 0.01))
        self.export = False

    def features(self, x):
        if self.reference == 'diff':  # [image, reference] -> [image, image - reference]
            c = self.channels
            x = torch.cat([x[:, :c], x[:, :c] - x[:, c:]], 1)
        p8 = self.s8(self.stem(x))
        p16 = self.s16(self.down16(p8))
        p32 = self.s32(self.down32(p16))
        u16 = self.up16(torch.cat([F.interpolate(p32, scale_factor=2.0, mode='nearest'), p16], 1))
        u8 = self.up8(torch.cat([F.interpolate(u16, scale_factor=2.0, mode='nearest'), p8], 1))
        return self.head(u8)

    def forward(self, x):
        f = self.features(x)
        b, _, h, w = f.shape
        dist = F.softplus(self.box(f)).flatten(2) * self.stride  # [B,4,A] ltrb in pixels
        logits = self.cls(f).flatten(2)                          # [B,nc,A]
        if not self.export:
            return dist, logits, (h, w)
        gy, gx = torch.meshgrid(torch.arange(h, dtype=f.dtype), torch.arange(w, dtype=f.dtype), indexing='ij')
        ax = ((gx.reshape(1, 1, -1) + 0.5) * self.stride)
        ay = ((gy.reshape(1, 1, -1) + 0.5) * self.stride)
        l, t, r, btm = dist[:, 0:1], dist[:, 1:2], dist[:, 2:3], dist[:, 3:4]
        x1, y1, x2, y2 = ax - l, ay - t, ax + r, ay + btm
        boxes = torch.cat([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], 1)
        return torch.cat([boxes, logits.sigmoid()], 1)  # [B, 4+nc, A]


def anchor_points(h, w, stride, device):
    gy, gx = torch.meshgrid(torch.arange(h, device=device), torch.arange(w, device=device), indexing='ij')
    return torch.stack([gx.flatten(), gy.flatten()], 1).float().add_(0.5).mul_(stride)  # [A,2]


def decode(dist, pts):
    """dist [B,4,A] (l,t,r,b) + points [A,2] -> boxes [B,A,4] x1y1x2y2."""
    d = dist.permute(0, 2, 1)
    return torch.cat([pts - d[..., :2], pts + d[..., 2:]], -1)

# %% [markdown]
# ## Loss
# Task-aligned assignment (as in TOOD / YOLOv8): a cell inside a ground-truth box is a positive
# candidate; the 10 candidates with the best `score^0.5 * IoU^6` become positives. Classification
# uses BCE against an IoU-aware soft target, boxes use the CIoU loss.

# %%
def box_iou_pair(a, b, eps=1e-7):
    """IoU of [M,4] against [N,4] -> [M,N]."""
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(2)
    area_a = (a[:, 2:] - a[:, :2]).clamp(min=0).prod(1)
    area_b = (b[:, 2:] - b[:, :2]).clamp(min=0).prod(1)
    return inter / (area_a[:, None] + area_b[None, :] - inter + eps)


def ciou(a, b, eps=1e-7):
    """Elementwise CIoU of [N,4] boxes."""
    w1, h1 = a[:, 2] - a[:, 0], (a[:, 3] - a[:, 1]).clamp(min=eps)
    w2, h2 = b[:, 2] - b[:, 0], (b[:, 3] - b[:, 1]).clamp(min=eps)
    iw = (torch.min(a[:, 2], b[:, 2]) - torch.max(a[:, 0], b[:, 0])).clamp(min=0)
    ih = (torch.min(a[:, 3], b[:, 3]) - torch.max(a[:, 1], b[:, 1])).clamp(min=0)
    inter = iw * ih
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / union
    cw = torch.max(a[:, 2], b[:, 2]) - torch.min(a[:, 0], b[:, 0])
    chh = torch.max(a[:, 3], b[:, 3]) - torch.min(a[:, 1], b[:, 1])
    c2 = cw ** 2 + chh ** 2 + eps
    rho2 = ((a[:, 0] + a[:, 2] - b[:, 0] - b[:, 2]) ** 2 + (a[:, 1] + a[:, 3] - b[:, 1] - b[:, 3]) ** 2) / 4
    v = (4 / math.pi ** 2) * (torch.atan(w2 / h2) - torch.atan(w1 / h1)) ** 2
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


class DetectionLoss:
    def __init__(self, nc, topk=10, alpha=0.5, beta=6.0, box_gain=5.0, cls_gain=1.0):
        self.nc, self.topk, self.alpha, self.beta = nc, topk, alpha, beta
        self.box_gain, self.cls_gain = box_gain, cls_gain

    @torch.no_grad()
    def assign(self, pboxes, pscores, pts, gt):
        """One image: returns target class scores [A,nc] and target boxes [A,4] with a positive mask."""
        A = pts.shape[0]
        tscore = torch.zeros(A, self.nc, device=pts.device)
        tbox = torch.zeros(A, 4, device=pts.device)
        fg = torch.zeros(A, dtype=torch.bool, device=pts.device)
        if gt.shape[0] == 0:
            return tscore, tbox, fg
        gb, gc = gt[:, :4], gt[:, 4].long()
        inside = ((pts[None, :, 0] > gb[:, None, 0]) & (pts[None, :, 0] < gb[:, None, 2])
                  & (pts[None, :, 1] > gb[:, None, 1]) & (pts[None, :, 1] < gb[:, None, 3]))  # [M,A]
        iou = box_iou_pair(gb, pboxes).clamp(min=0)                                           # [M,A]
        score = pscores[:, gc].T                                                               # [M,A]
        align = score.pow(self.alpha) * iou.pow(self.beta) * inside
        k = min(self.topk, A)
        top = align.topk(k, dim=1).indices
        cand = torch.zeros_like(inside)
        cand.scatter_(1, top, True)
        cand &= inside
        # Tiny boxes may contain no cell centre: give them their nearest cell.
        empty = cand.sum(1) == 0
        if empty.any():
            centres = (gb[empty, :2] + gb[empty, 2:]) / 2
            nearest = torch.cdist(centres, pts).argmin(1)
            cand[empty.nonzero().squeeze(1), nearest] = True
        # A cell claimed by several boxes goes to the one it overlaps most.
        multi = cand.sum(0) > 1
        if multi.any():
            best = iou.argmax(0)
            cand[:, multi] = False
            cand[best[multi], multi.nonzero().squeeze(1)] = True
        fg = cand.any(0)
        owner = cand.float().argmax(0)
        align = align * cand
        norm = (align.amax(1, keepdim=True) + 1e-9)
        quality = (align / norm * (iou * cand).amax(1, keepdim=True)).amax(0)  # [A]
        tbox = gb[owner]
        tscore[fg, gc[owner[fg]]] = quality[fg]
        return tscore, tbox, fg

    def __call__(self, dist, logits, hw, targets):
        B = dist.shape[0]
        pts = anchor_points(hw[0], hw[1], PcbDetector.stride, dist.device)
        pboxes = decode(dist, pts)                    # [B,A,4]
        plog = logits.permute(0, 2, 1)                # [B,A,nc]
        tscores, tboxes, fgs = [], [], []
        for i in range(B):
            ts, tb, fg = self.assign(pboxes[i].detach(), plog[i].detach().sigmoid(), pts, targets[i].to(dist.device))
            tscores.append(ts); tboxes.append(tb); fgs.append(fg)
        tscore = torch.stack(tscores)
        tbox = torch.stack(tboxes)
        fg = torch.stack(fgs)
        norm = tscore.sum().clamp(min=1.0)
        loss_cls = F.binary_cross_entropy_with_logits(plog, tscore, reduction='sum') / norm
        if fg.any():
            w = tscore.sum(-1)[fg]
            loss_box = ((1.0 - ciou(pboxes[fg], tbox[fg])) * w).sum() / norm
        else:
            loss_box = pboxes.sum() * 0.0
        return self.box_gain * loss_box + self.cls_gain * loss_cls, loss_box.detach(), loss_cls.detach()

# %% [markdown]
# ## Validation
# Whole images at `imgsz`, per-class NMS, then COCO-style average precision (101-point
# interpolation) at IoU 0.5 and averaged over 0.5:0.95. It only picks the best checkpoint; the
# DefectKit evaluator (`defectkit eval`) produces the figures reported in the model card.

# %%
@torch.no_grad()
def predict(model, images, args, device, conf=0.001, iou_thr=0.7, max_det=300, batch=8):
    import torchvision
    model.eval()
    out = []
    for s in range(0, len(images), batch):
        x, _ = make_batch(images, [np.zeros((0, 5), np.float32)] * len(images), range(s, min(s + batch, len(images))), args, None, train=False)
        x = x.to(device)
        dist, logits, hw = model(x)
        pts = anchor_points(hw[0], hw[1], PcbDetector.stride, device)
        boxes = decode(dist, pts)
        scores = logits.sigmoid().permute(0, 2, 1)
        for b in range(x.shape[0]):
            sc, cl = scores[b].max(1)
            keep = sc > conf
            bx, sc, cl = boxes[b][keep], sc[keep], cl[keep]
            k = torchvision.ops.batched_nms(bx, sc, cl, iou_thr)[:max_det]
            out.append(torch.cat([bx[k], sc[k, None], cl[k, None].float()], 1).cpu().numpy())
    return out


def pairwise_iou(a, b):
    """IoU of [M,4] against [N,4] xyxy boxes in float64, without epsilon (as pycocotools computes it)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(2)
    area_a = np.clip(a[:, 2:] - a[:, :2], 0, None).prod(1)
    area_b = np.clip(b[:, 2:] - b[:, :2], 0, None).prod(1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def average_precision(preds, labels, nc, thresholds):
    """COCO-style AP per class and IoU threshold -> array [nc, T] (nan where a class has no boxes)."""
    thresholds = np.asarray(thresholds)
    ap = np.full((nc, len(thresholds)), np.nan)
    rs = np.linspace(0, 1, 101)
    for c in range(nc):
        n_gt = sum(int((l[:, 4] == c).sum()) for l in labels)
        if n_gt == 0:
            continue
        scores, tps = [], []
        for p, l in zip(preds, labels):
            d = p[p[:, 5] == c]
            d = d[np.argsort(-d[:, 4], kind='stable')]
            g = l[l[:, 4] == c, :4]
            tp = np.zeros((len(d), len(thresholds)), bool)
            if len(d) and len(g):
                ious = pairwise_iou(d[:, :4], g)
                for ti, thr in enumerate(thresholds):
                    used = np.zeros(len(g), bool)
                    for j in range(len(d)):
                        row = np.where(used, -1.0, ious[j])
                        m = int(row.argmax())
                        if row[m] >= thr:
                            used[m] = True
                            tp[j, ti] = True
            scores.append(d[:, 4]); tps.append(tp)
        sc = np.concatenate(scores)
        order = np.argsort(-sc, kind='stable')
        tp = np.concatenate(tps)[order]
        for ti in range(len(thresholds)):
            ctp = np.cumsum(tp[:, ti])
            recall = ctp / n_gt
            precision = ctp / np.arange(1, len(ctp) + 1)
            if len(precision):
                precision = np.maximum.accumulate(precision[::-1])[::-1]
            idx = np.searchsorted(recall, rs, side='left')
            ap[c, ti] = np.mean([precision[i] if i < len(precision) else 0.0 for i in idx])
    return ap


def evaluate(model, images, labels, args, device):
    preds = predict(model, images, args, device)
    thresholds = np.linspace(0.5, 0.95, 10)
    ap = average_precision(preds, labels, len(args.class_names), thresholds)
    return {
        'map50': float(np.nanmean(ap[:, 0])),
        'map50_95': float(np.nanmean(ap)),
        'perClassAp50': {n: (None if np.isnan(ap[i, 0]) else float(ap[i, 0])) for i, n in enumerate(args.class_names)},
    }

# %% [markdown]
# ## Training loop
# AdamW, a cosine learning rate that follows elapsed epochs or elapsed time (whichever is further
# along, so a time cap still ends on a low rate), an exponential moving average of the weights,
# a checkpoint every epoch (`last.pt`, resumable) and the best one by validation mAP50 (`best.pt`).

# %%
class EMA:
    def __init__(self, model, decay=0.9995):
        import copy
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        self.updates = 0
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / 1000))
        msd = model.state_dict()
        for k, v in self.model.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)
            else:
                v.copy_(msd[k])


def pick_device(name):
    if name != 'auto':
        return torch.device(name)
    return torch.device('cuda' if torch.cuda.is_available() else 'cpu')


def init_weights(model, ema, path):
    """Seeds `model` (and its EMA) with the weights of another run of this recipe. Every tensor must match in shape,
    except the first convolution of a reference model seeded from a single-image run: its image channels take the
    single-image weights and its second plane (difference or reference) starts at zero, so training begins from
    exactly the single-image detector and learns what the reference adds."""
    ck = torch.load(path, map_location='cpu', weights_only=False)
    src = ck.get('ema', ck['model'])
    own = model.state_dict()
    if set(src) != set(own):
        raise ValueError(f'--init {path}: not a checkpoint of this network (tensors differ: {sorted(set(src) ^ set(own))[:4]})')
    widened = []
    for name, t in src.items():
        mine = own[name]
        if t.shape == mine.shape:
            mine.copy_(t)
        elif t.ndim == 4 and mine.ndim == 4 and t.shape[0] == mine.shape[0] and t.shape[2:] == mine.shape[2:] \
                and mine.shape[1] == 2 * t.shape[1]:
            mine.zero_()
            mine[:, :t.shape[1]].copy_(t)
            widened.append(name)
        else:
            raise ValueError(f'--init {path}: {name} has shape {tuple(t.shape)}, this network {tuple(mine.shape)} (another width?)')
    model.load_state_dict(own)
    ema.model.load_state_dict(own)
    return f'initialised from {path}' + (f' ({", ".join(widened)}: reference plane started at zero)' if widened else '')


def train(args, data_dir, out_dir, log=print):
    out_dir.mkdir(parents=True, exist_ok=True)
    device = pick_device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    args.class_names = [c for c in args.classes.split(',') if c]
    names, root, spec = open_yolo_dataset(data_dir, args.class_names)
    args.class_names = args.class_names or names
    nc = len(names)
    t0 = time.time()
    _, tr_images, tr_labels = load_split(root, spec['train'], args, nc)
    _, va_images, va_labels = load_split(root, spec['val'], args, nc)
    log(f'data: {len(tr_images)} train / {len(va_images)} val images from {data_dir} ({time.time() - t0:.1f}s)')

    model = PcbDetector(nc, args.channels, args.width, args.reference).to(device)
    model = model.to(memory_format=torch.channels_last)
    log(f'model: {sum(p.numel() for p in model.parameters()) / 1e6:.3f} M parameters, device {device}, threads {torch.get_num_threads()}')
    ema = EMA(model)
    decay, no_decay = [], []
    for n_, p in model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': args.weight_decay},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=args.lr, betas=(0.9, 0.999))
    criterion = DetectionLoss(nc)
    state = {'epoch': 0, 'elapsed': 0.0, 'best': -1.0, 'best_epoch': -1, 'history': []}
    last, best = out_dir / 'last.pt', out_dir / 'best.pt'
    if args.init and not (args.resume and last.exists()):
        log(init_weights(model, ema, args.init))
    if args.resume and last.exists():
        ck = torch.load(last, map_location=device, weights_only=False)
        model.load_state_dict(ck['model']); ema.model.load_state_dict(ck['ema']); ema.updates = ck['ema_updates']
        opt.load_state_dict(ck['optimizer']); state = ck['state']
        rng = np.random.default_rng(args.seed + state['epoch'])
        log(f'resumed at epoch {state["epoch"]}, {state["elapsed"]:.0f}s trained, best mAP50 {state["best"]:.4f}')

    per_epoch = args.crops_per_epoch or len(tr_images)
    steps = max(1, per_epoch // args.batch)
    cap = args.time_limit_min * 60
    warmup = min(300, steps * 3)
    # Defect-free images (no boxes) are negatives: --clean-share of the crops come from them.
    clean = np.array([i for i, b in enumerate(tr_labels) if len(b) == 0], dtype=np.int64)
    boards = np.array([i for i, b in enumerate(tr_labels) if len(b) > 0], dtype=np.int64)
    log(f'train: {len(boards)} images with defects, {len(clean)} defect-free')
    start = time.time() - state['elapsed']
    it = state['epoch'] * steps
    stop = False
    while state['epoch'] < args.epochs and not stop:
        model.train()
        ep = state['epoch']
        sums = np.zeros(3)
        te = time.time()
        for s in range(steps):
            elapsed = time.time() - start
            if cap and elapsed >= cap:
                stop = True
                break
            progress = max((ep + s / steps) / args.epochs, elapsed / cap if cap else 0.0)
            lr = args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))
            if it < warmup:
                lr *= (it + 1) / warmup
            for g in opt.param_groups:
                g['lr'] = lr
            if len(clean) and len(boards):
                n_clean = int(rng.binomial(args.batch, args.clean_share))
                idx = np.concatenate([rng.choice(boards, args.batch - n_clean), rng.choice(clean, n_clean)])
            else:
                idx = rng.integers(0, len(tr_images), args.batch)
            x, tg = make_batch(tr_images, tr_labels, idx, args, rng)
            x = x.to(device, non_blocking=True).contiguous(memory_format=torch.channels_last)
            dist, logits, hw = model(x)
            loss, lb, lc = criterion(dist, logits, hw, tg)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            ema.update(model)
            it += 1
            sums += [loss.item(), lb.item(), lc.item()]
        done = s + (0 if stop else 1)
        if done == 0:
            break
        state['epoch'] = ep + 1
        state['elapsed'] = time.time() - start
        rec = {'epoch': ep + 1, 'loss': float(sums[0] / done), 'box': float(sums[1] / done), 'cls': float(sums[2] / done),
               'lr': lr, 'seconds': round(state['elapsed'], 1), 'epoch_s': round(time.time() - te, 1)}
        if (ep + 1) % args.eval_every == 0 or stop or state['epoch'] >= args.epochs:
            m = evaluate(ema.model, va_images, va_labels, args, device)
            rec.update(map50=m['map50'], map50_95=m['map50_95'])
            if m['map50'] > state['best']:
                state['best'], state['best_epoch'] = m['map50'], ep + 1
                torch.save({'model': ema.model.state_dict(), 'nc': nc, 'names': names, 'args': vars(args),
                            'epoch': ep + 1, 'metrics': m}, best)
        state['history'].append(rec)
        torch.save({'model': model.state_dict(), 'ema': ema.model.state_dict(), 'ema_updates': ema.updates,
                    'optimizer': opt.state_dict(), 'state': state}, str(last) + '.tmp')
        os.replace(str(last) + '.tmp', last)
        log(json.dumps(rec))
    log(f'training done: {state["epoch"]} epochs, {state["elapsed"]:.0f}s, best val mAP50 {state["best"]:.4f} at epoch {state["best_epoch"]}')
    return state, names, (va_images, va_labels)

# %% [markdown]
# ## Export
# The best weights go to ONNX (batch-normalisation folded into the convolutions, a dynamic batch
# axis) with Ultralytics-style `metadata_props`, so any Ultralytics-aware runtime reads it, and
# the DefectKit `model.json` card is written beside it.

# %%
def fuse(model):
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    for m in model.modules():
        if isinstance(m, ConvBN) and isinstance(m.bn, nn.BatchNorm2d):
            m.conv = fuse_conv_bn_eval(m.conv, m.bn)
            m.bn = nn.Identity()
    return model


def export_onnx(args, names, out_dir, state, log=print):
    import onnx
    ck = torch.load(out_dir / 'best.pt', map_location='cpu', weights_only=False)
    model = PcbDetector(len(names), args.channels, args.width, args.reference)
    model.load_state_dict(ck['model'])
    model = fuse(model.eval())
    model.export = True
    x = torch.zeros(1, args.channels * (1 if args.reference == 'none' else 2), args.imgsz, args.imgsz)
    tmp = out_dir / 'model.onnx.tmp'
    kwargs = dict(input_names=['images'], output_names=['output0'], opset_version=12,
                  dynamic_axes={'images': {0: 'batch'}, 'output0': {0: 'batch'}}, do_constant_folding=True)
    import inspect
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False  # the TorchScript exporter: same graph on torch 1.13 and 2.x
    torch.onnx.export(model, x, str(tmp), **kwargs)
    m = onnx.load(str(tmp))
    meta = {
        'description': f'DefectKit {args.name}: pcb-detector recipe',
        'author': 'DefectKit',
        'version': CONFIG.get('version', '0.1.0'),
        'license': 'MIT',
        'task': 'detect',
        'stride': str(PcbDetector.stride),
        'batch': '1',
        'imgsz': str([args.imgsz, args.imgsz]),
        'names': str({i: n for i, n in enumerate(names)}),
        'channels': str(args.channels * (1 if args.reference == 'none' else 2)),
    }
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, str(tmp))
    os.replace(tmp, out_dir / 'model.onnx')
    log(f'exported {out_dir / "model.onnx"} ({(out_dir / "model.onnx").stat().st_size / 1e6:.2f} MB)')
    return ck


def write_card(args, names, out_dir, state, ck, data_desc, device, log=print):
    m = ck['metrics']
    card = {
        # v2 adds input.reference; a DefectKit that reads only v1 refuses the card instead of feeding one image.
        'format': 'defectkit.model-card/v1' if args.reference == 'none' else 'defectkit.model-card/v2',
        'name': args.name,
        'task': 'detect',
        'classes': list(names),
        'input': {'name': 'images', 'width': args.imgsz, 'height': args.imgsz, 'channels': args.channels,
                  'resize': 'letterbox', 'batchAxis': True, 'stride': PcbDetector.stride, 'padValue': 114,
                  'scale': 1 / 255, 'mean': None, 'std': None,
                  **({} if args.reference == 'none' else {'reference': 'stacked'})},
        'output': {'layout': 'ultralytics-bcn'},
        'thresholds': {'conf': 0.25, 'iou': 0.7, 'maxDet': 300},
        'recipe': {'name': 'pcb-detector', 'options': {
            'channels': args.channels, 'imgsz': args.imgsz, 'crop': args.crop, 'width': args.width,
            'batch': args.batch, 'lr': args.lr, 'epochs': args.epochs, 'timeLimitMin': args.time_limit_min,
            'nearDefect': args.near_defect, 'seed': args.seed, 'reference': args.reference,
            'referenceShift': args.reference_shift, 'cleanShare': args.clean_share,
            **({'init': os.path.basename(args.init)} if args.init else {}),
            'parameters': sum(p.numel() for p in PcbDetector(len(names), args.channels, args.width, args.reference).parameters())}},
        'training': {'data': data_desc, 'epochs': state['epoch'], 'bestEpoch': state['best_epoch'],
                     'seconds': round(state['elapsed']), 'device': str(device), 'threads': torch.get_num_threads(),
                     'torch': torch.__version__},
        'metrics': {'split': 'val', 'evaluator': 'pcb-detector script (Python, COCO-style 101-point AP)',
                    'coco': {'map50': m['map50'], 'map50_95': m['map50_95']},
                    'perClassAp50': m['perClassAp50']},
    }
    tmp = out_dir / 'model.json.tmp'
    tmp.write_text(json.dumps(card, indent=2) + '\n', encoding='utf-8')
    os.replace(tmp, out_dir / 'model.json')
    log(f'wrote {out_dir / "model.json"}')
    return card

# %% [markdown]
# ## Snowflake
# In Snowflake the dataset is copied from its stage to the container's disk, training runs on the
# GPU compute pool, and the ONNX file and card go back to a stage. The model is then logged to the
# Model Registry as a custom model that runs `defectkit_handler.py` (written beside this script):
# `PREDICT` takes the encoded image bytes and answers detections in image pixels.

# %%
def stage_download(session, stage_path, local_dir):
    """Copies every file under a stage path, keeping sub-folders (GET flattens, so go file by file)."""
    stage_path = stage_path.rstrip('/')
    prefix = stage_path.split('/', 1)[1] + '/' if '/' in stage_path else ''
    for r in session.sql(f"LIST {stage_path}/").collect():
        name = r['name']  # stage name without '@', e.g. 'defectkit_stage/data/images/train/a.jpg'
        rel = name.split('/', 1)[1][len(prefix):] if '/' in name else name
        target = local_dir / os.path.dirname(rel)
        target.mkdir(parents=True, exist_ok=True)
        session.file.get(f"{stage_path}/{rel}", str(target))
    return local_dir


def stage_upload(session, files, stage_path):
    for f in files:
        session.file.put(str(f), stage_path, auto_compress=False, overwrite=True)


def handler_file():
    """defectkit_handler.py, shipped beside this script (and the notebook) by `defectkit notebook emit`."""
    here = Path(globals()['__file__']).resolve().parent if '__file__' in globals() else Path.cwd()
    path = here / 'defectkit_handler.py'
    if not path.is_file():
        raise FileNotFoundError(f'{path}: missing; `defectkit notebook emit` writes defectkit_handler.py beside train.py')
    return path


def load_handler_module(path):
    """Imports the handler file under the name `defectkit_handler`."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('defectkit_handler', str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_image_bytes(card):
    """A PNG of the model's input size: the image-bytes sample the registry infers the signature from."""
    import io
    from PIL import Image
    mode = 'L' if card['input']['channels'] == 1 else 'RGB'
    buffer = io.BytesIO()
    Image.new(mode, (card['input']['width'], card['input']['height']), 114).save(buffer, format='PNG')
    return buffer.getvalue()


def log_to_registry(session, out_dir, card, model_name, comment=None):
    """Logs model.onnx + model.json with DefectKit's model handler as a Model Registry custom model.

    `MODEL(...)!PREDICT(IMAGE)` then takes encoded image bytes and answers DETECTIONS (JSON: x1, y1, x2, y2,
    score, class_id, label in image pixels), WIDTH, HEIGHT and LABELS (classifiers' top-k), exactly like a
    model logged with `defectkit registry log`: both run the same defectkit_handler.py.
    """
    import pandas as pd
    from snowflake.ml.model import custom_model
    from snowflake.ml.registry import Registry

    class DefectKitModel(custom_model.CustomModel):
        def __init__(self, context):
            super().__init__(context)
            self._handler = None

        def __getstate__(self):
            state = dict(self.__dict__)
            state['_handler'] = None  # the onnxruntime session is rebuilt where the model runs
            return state

        @custom_model.inference_api
        def predict(self, df: pd.DataFrame) -> pd.DataFrame:
            if self._handler is None:
                module = load_handler_module(self.context.path('handler'))
                self._handler = module.Handler.from_files(self.context.path('onnx'), self.context.path('card'))
            return self._handler.predict_frame(df)

    context = custom_model.ModelContext(artifacts={
        'onnx': str(out_dir / 'model.onnx'), 'card': str(out_dir / 'model.json'), 'handler': str(handler_file())})
    sample = pd.DataFrame({'IMAGE': [sample_image_bytes(card)]})
    return Registry(session=session).log_model(
        DefectKitModel(context), model_name=model_name, version_name=f"V{time.strftime('%Y%m%d_%H%M%S')}",
        comment=comment, conda_dependencies=['numpy', 'onnxruntime', 'pandas', 'pillow'], sample_input_data=sample)

# %% [markdown]
# ## Run
# Locally (`--local`) the dataset is a folder and outputs stay in `--out`. In Snowflake the
# dataset stage is copied to local disk first and the results are uploaded and registered.

# %%
def main(args):
    # Absolute: distributed workers and libraries may run in another working directory.
    out_dir = Path(args.out).resolve()
    if args.local:
        data_dir = Path(args.data).resolve()
        state, names, _ = train(args, data_dir, out_dir)
        ck = export_onnx(args, names, out_dir, state)
        write_card(args, names, out_dir, state, ck, str(args.data), pick_device(args.device))
        return
    from snowflake.snowpark.context import get_active_session
    session = get_active_session()
    data_dir = stage_download(session, args.data, Path('/tmp/defectkit-data'))
    state, names, _ = train(args, data_dir, out_dir)
    ck = export_onnx(args, names, out_dir, state)
    card = write_card(args, names, out_dir, state, ck, args.data, pick_device(args.device))
    if args.stage_out:
        stage_upload(session, [out_dir / 'model.onnx', out_dir / 'model.json'], args.stage_out)
    if args.registry_model:
        comment = f"{card['name']} ({card['recipe']['name']}), val mAP50 {card['metrics']['coco']['map50']:.3f}"
        version = log_to_registry(session, out_dir, card, args.registry_model, comment=comment)
        if args.infer_images:
            batch_inference(session, version, args.infer_images, args.log_database, args.log_schema, args.line, args.shift)


if __name__ == '__main__':
    main(ARGS)
