# %% [markdown]
# # DefectKit `classifier` training
#
# Transfer learning of a torchvision ResNet or VGG on an image-folder dataset (`train/<class>/*`,
# `val/<class>/*`), for tasks such as telling pneumonia from normal chest X-rays. ImageNet weights
# are used by default (`--pretrained`, downloaded from download.pytorch.org, which the emitted network rule
# allows); `--no-pretrained` starts from random weights. The ONNX export bakes
# the ImageNet normalisation and the softmax into the graph: it takes `[B, 3, H, W]` in 0..1
# (letterboxed, pad 114) and returns class probabilities `[B, classes]`.
#
# Run it locally with `python train.py --local --data <image folder> --out <folder>`.

# %%
import argparse
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
import torchvision

# Options chosen when this project was emitted (`defectkit notebook emit`); flags override them.
CONFIG = json.loads(__DEFECTKIT_CONFIG__)

# %% [markdown]
# ## Options

# %%
# defectkit:include script_argv


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='DefectKit classifier training')
    p.add_argument('--local', action='store_true', help='read a local image folder, write to a local folder')
    p.add_argument('--job', action='store_true', help='run as a Snowpark Container Services job (job/README.md)')
    p.add_argument('--data', default=CONFIG['dataset'], help='image folder (local) or stage path (Snowflake)')
    p.add_argument('--out', default=CONFIG.get('out', 'runs/classifier'))
    p.add_argument('--name', default=CONFIG['name'])
    p.add_argument('--classes', default=','.join(CONFIG['classes']), help='class folder names, in output order')
    p.add_argument('--arch', default=CONFIG['arch'], choices=['resnet18', 'resnet34', 'resnet50', 'vgg11_bn', 'vgg16_bn'])
    p.add_argument('--pretrained', nargs='?', const='imagenet', default=CONFIG.get('pretrained', 'imagenet'),
                   choices=['imagenet', 'none'], help='transfer learning from ImageNet weights (downloads them; default on)')
    p.add_argument('--no-pretrained', dest='pretrained', action='store_const', const='none', help='random initialisation')
    p.add_argument('--imgsz', type=int, default=CONFIG['imgsz'])
    p.add_argument('--epochs', type=int, default=CONFIG['epochs'])
    p.add_argument('--batch', type=int, default=CONFIG['batch'])
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--time-limit-min', type=float, default=0, help='0 = no cap')
    p.add_argument('--threads', type=int, default=0)
    p.add_argument('--workers', type=int, default=2, help='DataLoader workers')
    p.add_argument('--device', default='auto')
    p.add_argument('--gpus', type=int, default=CONFIG.get('gpus', 1))
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--stage-out', default=CONFIG.get('stageOut', ''))
    p.add_argument('--registry-model', default=CONFIG.get('registryModel', ''))
    return p.parse_args(argv)


ARGS = parse_args(script_argv())

# %% [markdown]
# ## Dataset
# One sub-folder per class under `train/` and `val/`. Images are letterboxed to a square (the
# DefectKit detector does the same at inference), with flips and small shifts for training.
# Classes are weighted by inverse frequency, since medical sets are often unbalanced.

# %%
EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')


def scan(root, classes):
    items = []
    for ci, c in enumerate(classes):
        d = root / c
        if not d.is_dir():
            raise FileNotFoundError(f'{d}: class folder missing')
        items += [(str(p), ci) for p in sorted(d.rglob('*')) if p.suffix.lower() in EXTS]
    if not items:
        raise ValueError(f'{root}: no images')
    return items


def letterbox(im, size):
    import cv2
    h, w = im.shape[:2]
    r = min(size / h, size / w)
    nw, nh = max(1, round(w * r)), max(1, round(h * r))
    im = cv2.resize(im, (nw, nh), interpolation=cv2.INTER_AREA if r < 1 else cv2.INTER_LINEAR)
    out = np.full((size, size, 3), 114, np.uint8)
    top, left = (size - nh) // 2, (size - nw) // 2
    out[top:top + nh, left:left + nw] = im
    return out


class FolderDataset(torch.utils.data.Dataset):
    def __init__(self, items, size, train):
        self.items, self.size, self.train = items, size, train

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        import cv2
        path, label = self.items[i]
        im = cv2.imread(path, cv2.IMREAD_COLOR)
        if im is None:
            raise ValueError(f'{path}: cannot decode image')
        im = letterbox(cv2.cvtColor(im, cv2.COLOR_BGR2RGB), self.size)
        if self.train:
            if random.random() < 0.5:
                im = im[:, ::-1]
            dx, dy = np.random.randint(-self.size // 16, self.size // 16 + 1, 2)
            im = np.roll(im, (dy, dx), (0, 1))
        return torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1).float().div(255.0), label

# %% [markdown]
# ## Model
# The torchvision network with its last layer replaced for our classes, wrapped so the exported
# graph normalises its input and returns probabilities.

# %%
class Exportable(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.register_buffer('mean', torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.probabilities = False

    def forward(self, x):
        y = self.net((x - self.mean) / self.std)
        return F.softmax(y, 1) if self.probabilities else y


def build_model(arch, nc, pretrained):
    net = getattr(torchvision.models, arch)(weights='DEFAULT' if pretrained == 'imagenet' else None)
    if arch.startswith('resnet'):
        net.fc = nn.Linear(net.fc.in_features, nc)
    else:
        net.classifier[-1] = nn.Linear(net.classifier[-1].in_features, nc)
    return Exportable(net)

# %% [markdown]
# ## Training loop
# AdamW with a cosine schedule, label smoothing and class weights; the best validation accuracy
# is kept. In Snowflake the same loop runs on the pool's GPU (use `--gpus` with the
# `faster-rcnn` recipe's PyTorchDistributor pattern for multi-GPU; one GPU is plenty here).

# %%
@torch.no_grad()
def evaluate(model, loader, device, nc):
    model.eval()
    conf = np.zeros((nc, nc), np.int64)
    for x, y in loader:
        p = model(x.to(device)).argmax(1).cpu().numpy()
        for t, q in zip(y.numpy(), p):
            conf[t, q] += 1
    acc = float(np.trace(conf) / max(1, conf.sum()))
    recall = {i: float(conf[i, i] / max(1, conf[i].sum())) for i in range(nc)}
    return acc, recall, conf


def train(args, data_dir, out_dir, log=print):
    out_dir.mkdir(parents=True, exist_ok=True)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu') if args.device == 'auto' else torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    classes = [c for c in args.classes.split(',') if c]
    tr, va = scan(data_dir / 'train', classes), scan(data_dir / 'val', classes)
    log(f'data: {len(tr)} train / {len(va)} val images, classes {classes}')
    counts = np.bincount([c for _, c in tr], minlength=len(classes)).astype(np.float64)
    weights = torch.tensor(counts.sum() / np.maximum(counts, 1) / len(classes), dtype=torch.float32, device=device)
    dl_tr = torch.utils.data.DataLoader(FolderDataset(tr, args.imgsz, True), batch_size=args.batch, shuffle=True,
                                        num_workers=args.workers, drop_last=len(tr) > args.batch)
    dl_va = torch.utils.data.DataLoader(FolderDataset(va, args.imgsz, False), batch_size=args.batch, num_workers=args.workers)
    model = build_model(args.arch, len(classes), args.pretrained).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    total = args.epochs * len(dl_tr)
    start, it, best, best_epoch = time.time(), 0, -1.0, -1
    for ep in range(args.epochs):
        model.train()
        for x, y in dl_tr:
            if args.time_limit_min and time.time() - start > args.time_limit_min * 60:
                break
            for g in opt.param_groups:
                g['lr'] = args.lr * 0.5 * (1 + math.cos(math.pi * it / total))
            loss = F.cross_entropy(model(x.to(device)), y.to(device), weight=weights, label_smoothing=0.05)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            it += 1
        acc, recall, conf = evaluate(model, dl_va, device, len(classes))
        log(json.dumps({'epoch': ep + 1, 'loss': float(loss), 'val_accuracy': acc, 'seconds': round(time.time() - start)}))
        if acc > best:
            best, best_epoch = acc, ep + 1
            torch.save({'model': model.state_dict(), 'classes': classes, 'accuracy': acc,
                        'recall': {classes[i]: r for i, r in recall.items()}, 'confusion': conf.tolist()}, out_dir / 'best.pt')
        if args.time_limit_min and time.time() - start > args.time_limit_min * 60:
            break
    return classes, {'epochs': ep + 1, 'bestEpoch': best_epoch, 'seconds': round(time.time() - start), 'device': str(device)}

# %% [markdown]
# ## Export
# ONNX with a dynamic batch axis, and the `model.json` card (`task: classify`).

# %%
def export(args, classes, out_dir, training, log=print):
    import onnx
    ck = torch.load(out_dir / 'best.pt', map_location='cpu', weights_only=False)
    model = build_model(args.arch, len(classes), 'none')  # the weights come from best.pt
    model.load_state_dict(ck['model'])
    model.eval()
    model.probabilities = True
    tmp = out_dir / 'model.onnx.tmp'
    kwargs = dict(input_names=['images'], output_names=['probabilities'], opset_version=12,
                  dynamic_axes={'images': {0: 'batch'}, 'probabilities': {0: 'batch'}})
    import inspect
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False
    torch.onnx.export(model, torch.zeros(1, 3, args.imgsz, args.imgsz), str(tmp), **kwargs)
    m = onnx.load(str(tmp))
    for k, v in {'description': f'DefectKit {args.name}: classifier recipe ({args.arch})', 'author': 'DefectKit',
                 'version': CONFIG.get('version', '0.1.0'), 'task': 'classify', 'imgsz': str([args.imgsz, args.imgsz]),
                 'names': str({i: n for i, n in enumerate(classes)}), 'channels': '3'}.items():
        p = m.metadata_props.add(); p.key, p.value = k, v
    onnx.save(m, str(tmp))
    os.replace(tmp, out_dir / 'model.onnx')
    card = {
        'format': 'defectkit.model-card/v1', 'name': args.name, 'task': 'classify', 'classes': classes,
        'input': {'name': 'images', 'width': args.imgsz, 'height': args.imgsz, 'channels': 3, 'resize': 'letterbox',
                  'batchAxis': True, 'stride': 32, 'padValue': 114, 'scale': 1 / 255, 'mean': None, 'std': None},
        'output': {'layout': 'classifier'},
        'thresholds': {'conf': 0.5, 'iou': 0.7, 'maxDet': 1},
        'recipe': {'name': 'classifier', 'options': {'arch': args.arch, 'pretrained': args.pretrained, 'imgsz': args.imgsz,
                                                     'epochs': args.epochs, 'batch': args.batch, 'lr': args.lr}},
        'training': {'data': str(args.data), **training},
        'metrics': {'split': 'val', 'evaluator': 'classifier script (Python)', 'accuracy': ck['accuracy'],
                    'recall': ck['recall'], 'confusion': ck['confusion']},
    }
    tmp = out_dir / 'model.json.tmp'
    tmp.write_text(json.dumps(card, indent=2) + '\n', encoding='utf-8')
    os.replace(tmp, out_dir / 'model.json')
    log(f'exported {out_dir / "model.onnx"} (val accuracy {ck["accuracy"]:.4f})')
    return card

# %% [markdown]
# ## Snowflake: stage in, stage out, Model Registry
# The model is logged as a custom model that runs `defectkit_handler.py` (written beside this script):
# `PREDICT` takes the encoded image bytes and answers the top-5 classes in LABELS.

# %%
# defectkit:include stage_download


# defectkit:include log_to_registry

# %% [markdown]
# ## Run

# %%
def job_session():
    """A Snowpark session inside a Snowpark Container Services job: the service's OAuth token and the environment
    Snowflake sets in every container (account, host, database, schema), plus the warehouse from the job spec."""
    from snowflake.snowpark import Session
    with open('/snowflake/session/token', encoding='utf-8') as f:
        token = f.read()
    return Session.builder.configs({
        'account': os.environ['SNOWFLAKE_ACCOUNT'], 'host': os.environ['SNOWFLAKE_HOST'], 'authenticator': 'oauth',
        'token': token, 'database': os.environ['SNOWFLAKE_DATABASE'], 'schema': os.environ['SNOWFLAKE_SCHEMA'],
        'warehouse': os.environ.get('SNOWFLAKE_WAREHOUSE'), 'client_session_keep_alive': True}).create()


def training_log_writer(session, table, run_id, log=print):
    """A log function that also appends each epoch's JSON line to TRAINING_LOG (the job's progress, read with SQL)."""
    def write(line):
        log(line)
        try:
            row = json.loads(line)
        except (TypeError, ValueError):
            return
        if isinstance(row, dict) and 'epoch' in row:
            session.sql(f'INSERT INTO {table} (RUN_ID, EPOCH, LOSS, VAL_ACCURACY, SECONDS, LOGGED_AT) '
                        'SELECT ?, ?, ?, ?, ?, CURRENT_TIMESTAMP()',
                        params=[run_id, row['epoch'], row['loss'], row['val_accuracy'], row['seconds']]).collect()
    return write


def main(args):
    # Absolute: distributed workers and libraries may run in another working directory.
    out_dir = Path(args.out).resolve()
    if args.local:
        classes, training = train(args, Path(args.data).resolve(), out_dir)
        export(args, classes, out_dir, training)
        return
    log = print
    if args.job:
        session = job_session()
        table = os.environ.get('DEFECTKIT_TRAINING_LOG', 'TRAINING_LOG')
        log = training_log_writer(session, table, f"{args.name}-{time.strftime('%Y%m%d-%H%M%S')}")
    else:
        from snowflake.snowpark.context import get_active_session
        session = get_active_session()
    data_dir = stage_download(session, args.data, Path('/tmp/defectkit-data'))
    classes, training = train(args, data_dir, out_dir, log=log)
    card = export(args, classes, out_dir, training)
    if args.stage_out:
        for f in ('model.onnx', 'model.json'):
            session.file.put(str(out_dir / f), args.stage_out, auto_compress=False, overwrite=True)
    if args.registry_model:
        log_to_registry(session, out_dir, card, args.registry_model)


if __name__ == '__main__':
    main(ARGS)
