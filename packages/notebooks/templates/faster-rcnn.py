# %% [markdown]
# # DefectKit `faster-rcnn` training
#
# torchvision's Faster R-CNN with a configurable backbone: a small custom one (`tiny`, a few MB,
# quick on CPU), MobileNetV3-FPN, ResNet18-FPN or ResNet50-FPN. In Snowflake it trains on every GPU
# of the compute pool through `PyTorchDistributor` (one worker per GPU, DistributedDataParallel);
# locally it is plain PyTorch. It exports ONNX with torchvision's own support (opset 11, dynamic
# height and width): the graph takes one `[3, H, W]` image in 0..1 and returns boxes, 1-based
# labels and scores, and resizes inside (`min_size = max_size = imgsz`).
#
# Run it locally with `python train.py --local --data <yolo folder> --out <folder>`.

# %%
import argparse
import json
import math
import os
import random
import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import TwoMLPHead, FastRCNNPredictor
from torchvision.ops import MultiScaleRoIAlign

# Options chosen when this project was emitted (`defectkit notebook emit`); flags override them.
CONFIG = json.loads(__DEFECTKIT_CONFIG__)

# %% [markdown]
# ## Options
# Every option has a command-line flag; a notebook uses the emitted defaults (edit `CONFIG`).

# %%
# defectkit:include script_argv


# defectkit:include inspection_log


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='DefectKit faster-rcnn training')
    p.add_argument('--local', action='store_true', help='read a local YOLO folder, write to a local folder')
    p.add_argument('--data', default=CONFIG['dataset'], help='YOLO folder (local) or stage path (Snowflake)')
    p.add_argument('--out', default=CONFIG.get('out', 'runs/faster-rcnn'))
    p.add_argument('--name', default=CONFIG['name'])
    p.add_argument('--classes', default=','.join(CONFIG['classes']))
    p.add_argument('--backbone', default=CONFIG['backbone'],
                   choices=['tiny', 'mobilenet_v3_large_fpn', 'resnet18_fpn', 'resnet50_fpn'])
    p.add_argument('--pretrained', nargs='?', const='coco', default=CONFIG.get('pretrained', 'none'),
                   choices=['coco', 'imagenet', 'none'],
                   help='coco: the whole torchvision detector trained on COCO (new box head for our classes); '
                        'imagenet: backbone only; none: random (downloads from download.pytorch.org)')
    p.add_argument('--no-pretrained', dest='pretrained', action='store_const', const='none')
    p.add_argument('--imgsz', type=int, default=CONFIG['imgsz'], help='inference size: min_size = max_size = imgsz')
    p.add_argument('--crop', type=int, default=CONFIG['crop'], help='training crop at native resolution, 0 = whole image')
    p.add_argument('--epochs', type=int, default=CONFIG['epochs'])
    p.add_argument('--batch', type=int, default=CONFIG['batch'])
    p.add_argument('--lr', type=float, default=0.01)
    p.add_argument('--time-limit-min', type=float, default=CONFIG.get('timeLimitMin', 0), help='0 = no cap')
    p.add_argument('--threads', type=int, default=0)
    p.add_argument('--device', default='auto')
    p.add_argument('--gpus', type=int, default=CONFIG.get('gpus', 1), help='Snowflake: workers, one per GPU')
    p.add_argument('--resume', action='store_true')
    p.add_argument('--eval-every', type=int, default=1)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--max-images', type=int, default=0)
    p.add_argument('--stage-out', default=CONFIG.get('stageOut', ''))
    p.add_argument('--registry-model', default=CONFIG.get('registryModel', ''))
    add_inspection_log_args(p)
    return p.parse_args(argv)


ARGS = parse_args(script_argv())

# %% [markdown]
# ## Dataset
# A YOLO-format folder (`data.yaml`, `images/`, `labels/`). Grayscale scans are repeated to three
# channels. Training cuts crops at native resolution, most of them around a defect; flips and
# transposes are free augmentation because defect classes do not depend on orientation.

# %%
# defectkit:include read_yaml


# defectkit:include yolo_dataset


# defectkit:include yolo_split_files


def load_item(path, nc):
    import cv2
    im = cv2.imread(path, cv2.IMREAD_COLOR)
    if im is None:
        raise ValueError(f'{path}: cannot decode image')
    im = cv2.cvtColor(im, cv2.COLOR_BGR2RGB)
    h, w = im.shape[:2]
    boxes = []
    lp = label_path(path)
    if os.path.exists(lp):
        for n, line in enumerate(open(lp, encoding='utf-8'), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 5:
                raise ValueError(f'{lp}:{n}: expected "class cx cy w h", got {line.strip()!r}')
            c, cx, cy, bw, bh = int(parts[0]), *map(float, parts[1:])
            if not 0 <= c < nc:
                raise ValueError(f'{lp}:{n}: class {c} is outside 0..{nc - 1}')
            boxes.append([(cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h, c])
    return im, np.array(boxes, dtype=np.float32).reshape(-1, 5)


def load_split(root, entry, args, nc):
    paths = list_split(root, entry)
    if args.max_images:
        paths = paths[:args.max_images]
    if not paths:
        raise ValueError(f'{root}: split {entry!r} has no images')
    items = [load_item(p, nc) for p in paths]
    return [i[0] for i in items], [i[1] for i in items]


def sample(im, boxes, crop, rng):
    H, W = im.shape[:2]
    b = boxes.copy()
    if 0 < crop < min(H, W):
        if len(b) and rng.random() < 0.8:
            x1, y1, x2, y2 = b[rng.integers(len(b)), :4]
            lo_x, hi_x = max(0, int(x2) - crop), min(W - crop, int(x1))
            lo_y, hi_y = max(0, int(y2) - crop), min(H - crop, int(y1))
            ox = rng.integers(lo_x, hi_x + 1) if hi_x >= lo_x else rng.integers(0, W - crop + 1)
            oy = rng.integers(lo_y, hi_y + 1) if hi_y >= lo_y else rng.integers(0, H - crop + 1)
        else:
            ox, oy = rng.integers(0, W - crop + 1), rng.integers(0, H - crop + 1)
        im = im[oy:oy + crop, ox:ox + crop]
        if len(b):
            area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
            b[:, [0, 2]] = np.clip(b[:, [0, 2]] - ox, 0, crop)
            b[:, [1, 3]] = np.clip(b[:, [1, 3]] - oy, 0, crop)
            kept = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
            b = b[(kept >= 0.5 * area) & (b[:, 2] - b[:, 0] >= 4) & (b[:, 3] - b[:, 1] >= 4)]
    S0, S1 = im.shape[1], im.shape[0]
    if rng.random() < 0.5:
        im = im[:, ::-1]; b[:, [0, 2]] = S0 - b[:, [2, 0]]
    if rng.random() < 0.5:
        im = im[::-1]; b[:, [1, 3]] = S1 - b[:, [3, 1]]
    if im.shape[0] == im.shape[1] and rng.random() < 0.5:
        im = im.transpose(1, 0, 2); b = b[:, [1, 0, 3, 2, 4]]
    return np.ascontiguousarray(im), b


def to_tensor(im):
    return torch.from_numpy(im).permute(2, 0, 1).float().div_(255.0)

# %% [markdown]
# ## Model
# `tiny` is a small VGG-like backbone that stops at stride 8 (PCB defects are 20 to 170 pixels),
# with one anchor level (16 to 128 pixels, three aspect ratios) and a light box head. The other
# backbones are torchvision's FPN builds. `min_size = max_size = imgsz`, so a 640 image is not
# upscaled to 800 as torchvision's defaults would.

# %%
class TinyBackbone(nn.Module):
    def __init__(self, out_channels=64):
        super().__init__()

        def block(c1, c2, s):
            return nn.Sequential(nn.Conv2d(c1, c2, 3, s, 1, bias=False), nn.BatchNorm2d(c2), nn.ReLU(inplace=True))

        self.body = nn.Sequential(
            block(3, 16, 2), block(16, 32, 2), block(32, 32, 1), block(32, 64, 2),
            block(64, 64, 1), block(64, out_channels, 1))
        self.out_channels = out_channels

    def forward(self, x):
        return OrderedDict([('0', self.body(x))])


def build_model(args, nc):
    kw = dict(min_size=args.imgsz, max_size=args.imgsz, image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5],
              box_detections_per_img=300)
    if args.backbone == 'tiny':
        bb = TinyBackbone()
        anchors = AnchorGenerator(sizes=((16, 32, 64, 128),), aspect_ratios=((0.5, 1.0, 2.0),))
        roi = MultiScaleRoIAlign(featmap_names=['0'], output_size=7, sampling_ratio=2)
        head = TwoMLPHead(bb.out_channels * 49, 256)
        return FasterRCNN(bb, num_classes=None, rpn_anchor_generator=anchors, box_roi_pool=roi, box_head=head,
                          box_predictor=FastRCNNPredictor(256, nc + 1), rpn_batch_size_per_image=128,
                          box_batch_size_per_image=128, rpn_pre_nms_top_n_train=1000, rpn_post_nms_top_n_train=500,
                          rpn_pre_nms_top_n_test=500, rpn_post_nms_top_n_test=300, **kw)
    from torchvision.models import detection as D
    builders = {'mobilenet_v3_large_fpn': D.fasterrcnn_mobilenet_v3_large_fpn,
                'resnet18_fpn': None, 'resnet50_fpn': D.fasterrcnn_resnet50_fpn}
    if (args.backbone == 'tiny' and args.pretrained != 'none') or (args.backbone == 'resnet18_fpn' and args.pretrained == 'coco'):
        raise ValueError(f'--pretrained {args.pretrained}: torchvision has no such weights for the {args.backbone} backbone')
    if args.backbone == 'resnet18_fpn':
        from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
        bb = resnet_fpn_backbone(backbone_name='resnet18', weights='DEFAULT' if args.pretrained == 'imagenet' else None,
                                 trainable_layers=5)
        return FasterRCNN(bb, num_classes=nc + 1, **kw)
    if args.pretrained == 'coco':
        # COCO's 91-class detector, then a new box predictor for our classes (the usual fine-tuning recipe).
        model = builders[args.backbone](weights='DEFAULT', **kw)
        model.roi_heads.box_predictor = FastRCNNPredictor(model.roi_heads.box_predictor.cls_score.in_features, nc + 1)
        return model
    return builders[args.backbone](weights=None, weights_backbone='DEFAULT' if args.pretrained == 'imagenet' else None,
                                   num_classes=nc + 1, **kw)

# %% [markdown]
# ## Validation
# COCO-style AP (101-point) on the validation split at full size, used to keep the best weights.

# %%
# defectkit:include average_precision


@torch.no_grad()
def evaluate(model, images, labels, args, device, names):
    model.eval()
    model.transform.min_size, model.transform.max_size = (args.imgsz,), args.imgsz
    model.roi_heads.score_thresh = 0.001
    preds = []
    for im in images:
        o = model([to_tensor(im).to(device)])[0]
        preds.append(torch.cat([o['boxes'], o['scores'][:, None], (o['labels'] - 1)[:, None].float()], 1).cpu().numpy())
    ap = average_precision(preds, labels, len(names), np.linspace(0.5, 0.95, 10))
    model.roi_heads.score_thresh = 0.05
    return {'map50': float(np.nanmean(ap[:, 0])), 'map50_95': float(np.nanmean(ap)),
            'perClassAp50': {n: (None if np.isnan(ap[i, 0]) else float(ap[i, 0])) for i, n in enumerate(names)}}

# %% [markdown]
# ## Training loop
# SGD with momentum, warm-up then cosine decay following epochs or elapsed time (whichever is
# further along). Each epoch writes `last.pt` (resumable with `--resume`); the best validation
# mAP50 is kept in `best.pt`. Under `PyTorchDistributor` every worker trains its own share of the
# crops in DistributedDataParallel and rank 0 validates and saves.

# %%
def train(args, data_dir, out_dir, rank=0, world=1, device=None, log=print):
    out_dir.mkdir(parents=True, exist_ok=True)
    device = device or torch.device('cuda' if torch.cuda.is_available() and args.device == 'auto' else
                                    ('cpu' if args.device == 'auto' else args.device))
    if args.threads:
        torch.set_num_threads(args.threads)
    random.seed(args.seed + rank); torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed + rank)
    names, root, spec = open_yolo_dataset(data_dir, [c for c in args.classes.split(',') if c])
    nc = len(names)
    tr_im, tr_lb = load_split(root, spec['train'], args, nc)
    va_im, va_lb = load_split(root, spec['val'], args, nc)
    if rank == 0:
        log(f'data: {len(tr_im)} train / {len(va_im)} val images from {data_dir}')
    model = build_model(args, nc).to(device)
    if args.crop:
        model.transform.min_size, model.transform.max_size = (args.crop,), args.crop
    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None)
    if rank == 0:
        log(f'model: faster-rcnn/{args.backbone}, {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters, '
            f'device {device}, threads {torch.get_num_threads()}, workers {world}')
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=args.lr, momentum=0.9, weight_decay=1e-4)
    state = {'epoch': 0, 'elapsed': 0.0, 'best': -1.0, 'best_epoch': -1, 'history': []}
    last, best = out_dir / 'last.pt', out_dir / 'best.pt'
    if args.resume and last.exists():
        ck = torch.load(last, map_location=device, weights_only=False)
        model.load_state_dict(ck['model']); opt.load_state_dict(ck['optimizer']); state = ck['state']
        rng = np.random.default_rng(args.seed + rank + 1000 * state['epoch'])
        if rank == 0:
            log(f'resumed at epoch {state["epoch"]}, best mAP50 {state["best"]:.4f}')
    steps = max(1, len(tr_im) // (args.batch * world))
    cap = args.time_limit_min * 60
    start = time.time() - state['elapsed']
    it, warmup, stop = state['epoch'] * steps, min(500, steps * 2), False
    while state['epoch'] < args.epochs and not stop:
        net.train()
        if args.crop:
            model.transform.min_size, model.transform.max_size = (args.crop,), args.crop
        ep, sums, done, te = state['epoch'], 0.0, 0, time.time()
        for s in range(steps):
            elapsed = time.time() - start
            if cap and elapsed >= cap:
                stop = True
                break
            progress = min(1.0, max((ep + s / steps) / args.epochs, elapsed / cap if cap else 0.0))
            lr = args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress))) * min(1.0, (it + 1) / warmup)
            for g in opt.param_groups:
                g['lr'] = lr
            ims, tgts = [], []
            for i in rng.integers(0, len(tr_im), args.batch):
                im, b = sample(tr_im[i], tr_lb[i], args.crop, rng)
                ims.append(to_tensor(im).to(device))
                tgts.append({'boxes': torch.from_numpy(b[:, :4]).to(device),
                             'labels': torch.from_numpy(b[:, 4]).long().add(1).to(device)})
            losses = net(ims, tgts)
            loss = sum(losses.values())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            sums += loss.item(); done += 1; it += 1
        if done == 0:
            break
        state['epoch'] = ep + 1
        state['elapsed'] = time.time() - start
        if rank == 0:
            rec = {'epoch': ep + 1, 'loss': sums / done, 'lr': lr, 'seconds': round(state['elapsed'], 1),
                   'epoch_s': round(time.time() - te, 1)}
            if (ep + 1) % args.eval_every == 0 or stop or state['epoch'] >= args.epochs:
                m = evaluate(model, va_im, va_lb, args, device, names)
                rec.update(map50=m['map50'], map50_95=m['map50_95'])
                if m['map50'] > state['best']:
                    state['best'], state['best_epoch'] = m['map50'], ep + 1
                    torch.save({'model': model.state_dict(), 'names': names, 'epoch': ep + 1, 'metrics': m}, best)
            state['history'].append(rec)
            torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'state': state}, str(last) + '.tmp')
            os.replace(str(last) + '.tmp', last)
            log(json.dumps(rec))
    if rank == 0:
        log(f'training done: {state["epoch"]} epochs, {state["elapsed"]:.0f}s, best val mAP50 {state["best"]:.4f} '
            f'at epoch {state["best_epoch"]}')
    return state, names

# %% [markdown]
# ## Export
# torchvision detection models export with a list of one `[3, H, W]` image; height and width are
# dynamic axes. The `model.json` card tells the DefectKit detector to feed the image at its own
# size (`resize: none`, no batch axis) and to read `boxes`, `labels` (1-based) and `scores`.

# %%
def export(args, names, out_dir, state, data_desc, device, log=print):
    import onnx
    ck = torch.load(out_dir / 'best.pt', map_location='cpu', weights_only=False)
    model = build_model(args, len(names))
    model.load_state_dict(ck['model'])
    model.eval()
    model.transform.min_size, model.transform.max_size = (args.imgsz,), args.imgsz
    x = torch.rand(3, args.imgsz, args.imgsz)
    tmp = out_dir / 'model.onnx.tmp'
    kwargs = dict(input_names=['images'], output_names=['boxes', 'labels', 'scores'], opset_version=11,
                  dynamic_axes={'images': {1: 'height', 2: 'width'}, 'boxes': {0: 'detections'},
                                'labels': {0: 'detections'}, 'scores': {0: 'detections'}}, do_constant_folding=True)
    import inspect
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False
    torch.onnx.export(model, ([x],), str(tmp), **kwargs)
    m = onnx.load(str(tmp))
    for k, v in {'description': f'DefectKit {args.name}: faster-rcnn recipe ({args.backbone})', 'author': 'DefectKit',
                 'version': CONFIG.get('version', '0.1.0'), 'task': 'detect', 'imgsz': str([args.imgsz, args.imgsz]),
                 'names': str({i: n for i, n in enumerate(names)}), 'channels': '3'}.items():
        p = m.metadata_props.add(); p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, str(tmp))
    os.replace(tmp, out_dir / 'model.onnx')
    log(f'exported {out_dir / "model.onnx"} ({(out_dir / "model.onnx").stat().st_size / 1e6:.2f} MB)')
    met = ck['metrics']
    card = {
        'format': 'defectkit.model-card/v1', 'name': args.name, 'task': 'detect', 'classes': list(names),
        'input': {'name': 'images', 'width': args.imgsz, 'height': args.imgsz, 'channels': 3, 'resize': 'none',
                  'batchAxis': False, 'stride': 1, 'padValue': 114, 'scale': 1 / 255, 'mean': None, 'std': None},
        'output': {'layout': 'torchvision-rcnn'},
        'thresholds': {'conf': 0.25, 'iou': 0.5, 'maxDet': 300},
        'recipe': {'name': 'faster-rcnn', 'options': {'backbone': args.backbone, 'pretrained': args.pretrained, 'imgsz': args.imgsz, 'crop': args.crop,
                                                      'batch': args.batch, 'lr': args.lr, 'epochs': args.epochs,
                                                      'timeLimitMin': args.time_limit_min, 'seed': args.seed,
                                                      'parameters': sum(p.numel() for p in model.parameters())}},
        'training': {'data': data_desc, 'epochs': state['epoch'], 'bestEpoch': state['best_epoch'],
                     'seconds': round(state['elapsed']), 'device': str(device), 'threads': torch.get_num_threads(),
                     'torch': torch.__version__},
        'metrics': {'split': 'val', 'evaluator': 'faster-rcnn script (Python, COCO-style 101-point AP)',
                    'coco': {'map50': met['map50'], 'map50_95': met['map50_95']}, 'perClassAp50': met['perClassAp50']},
    }
    tmp = out_dir / 'model.json.tmp'
    tmp.write_text(json.dumps(card, indent=2) + '\n', encoding='utf-8')
    os.replace(tmp, out_dir / 'model.json')
    return card

# %% [markdown]
# ## Snowflake: data from a stage, training on every GPU
# The dataset stage is copied to the container's disk once; `PyTorchDistributor` then starts one
# worker per GPU, each calling `train_func` (no arguments: options come through `hyper_params`).

# %%
# defectkit:include stage_download


def train_func():
    """Entry point of each PyTorchDistributor worker."""
    import torch.distributed as dist
    from snowflake.ml.modeling.distributors.pytorch import get_context
    ctx = get_context()
    hp = ctx.get_hyper_params()
    args = parse_args(json.loads(hp['argv']))
    dist.init_process_group(backend=ctx.get_default_backend())
    local = ctx.get_local_rank()
    device = torch.device(f'cuda:{local}') if torch.cuda.is_available() else torch.device('cpu')
    if device.type == 'cuda':
        torch.cuda.set_device(device)
    train(args, Path(hp['data_dir']), Path(hp['out_dir']), rank=ctx.get_rank(), world=ctx.get_world_size(), device=device)
    dist.barrier()
    dist.destroy_process_group()


def train_distributed(args, data_dir, out_dir):
    from snowflake.ml.modeling.distributors.pytorch import PyTorchDistributor, PyTorchScalingConfig, WorkerResourceConfig
    argv = script_argv()
    distributor = PyTorchDistributor(
        train_func=train_func,
        scaling_config=PyTorchScalingConfig(num_nodes=1, num_workers_per_node=args.gpus,
                                            resource_requirements_per_worker=WorkerResourceConfig(num_cpus=4, num_gpus=1)))
    distributor.run(hyper_params={'argv': json.dumps(argv), 'data_dir': str(data_dir), 'out_dir': str(out_dir)})
    ck = torch.load(out_dir / 'last.pt', map_location='cpu', weights_only=False)
    return ck['state'], torch.load(out_dir / 'best.pt', map_location='cpu', weights_only=False)['names']

# %% [markdown]
# ## Model Registry
# The ONNX file, its card and `defectkit_handler.py` (written beside this script) are logged as a
# custom model: `PREDICT` takes the encoded image bytes and answers detections in image pixels, the
# same contract as a model logged with `defectkit registry log`.

# %%
# defectkit:include log_to_registry

# %% [markdown]
# ## Run

# %%
def main(args):
    # Absolute: distributed workers and libraries may run in another working directory.
    out_dir = Path(args.out).resolve()
    if args.local:
        device = torch.device('cuda' if torch.cuda.is_available() and args.device == 'auto' else
                              ('cpu' if args.device == 'auto' else args.device))
        state, names = train(args, Path(args.data).resolve(), out_dir, device=device)
        export(args, names, out_dir, state, str(args.data), device)
        return
    from snowflake.snowpark.context import get_active_session
    session = get_active_session()
    data_dir = stage_download(session, args.data, Path('/tmp/defectkit-data'))
    state, names = train_distributed(args, data_dir, out_dir)
    card = export(args, names, out_dir, state, args.data, f'cuda x{args.gpus}')
    if args.stage_out:
        for f in ('model.onnx', 'model.json'):
            session.file.put(str(out_dir / f), args.stage_out, auto_compress=False, overwrite=True)
    if args.registry_model:
        version = log_to_registry(session, out_dir, card, args.registry_model)
        if args.infer_images:
            batch_inference(session, version, args.infer_images, args.log_database, args.log_schema, args.line, args.shift)


if __name__ == '__main__':
    main(ARGS)
