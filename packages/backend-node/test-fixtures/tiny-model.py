"""Writes a tiny, deterministic Ultralytics-shaped ONNX detector for tests (no training, no weights).

Each 8x8 cell of the (channel-mean) input image is an anchor: the box is centred on the cell, its size
grows with the cell's brightness, and class k scores sigmoid(12 * (brightness - 0.45 - 0.05 k)), so a
bright square on a dark background gives confident boxes exactly there.

With --shape rcnn it mimics a torchvision detection export instead: one image [C, H, W] of any size in,
boxes [N, 4] (the cells, in image pixels), labels int64 [N] (1-based: cells brighter than 0.7 are label 2,
the others label 1) and scores [N] (the cell brightness) out.

usage: tiny-model.py OUT.onnx --size 64 --channels 1 --classes 6 [--shape bcn|rank2|rcnn] [--static-batch]
"""
import argparse

import torch
import torch.nn.functional as F


class Tiny(torch.nn.Module):
    def __init__(self, size: int, classes: int, shape: str):
        super().__init__()
        cells = size // 8
        ys, xs = torch.meshgrid(torch.arange(cells), torch.arange(cells), indexing="ij")
        self.register_buffer("gx", (xs.flatten().float() * 8 + 4).unsqueeze(0))
        self.register_buffer("gy", (ys.flatten().float() * 8 + 4).unsqueeze(0))
        self.register_buffer("offsets", (0.45 + 0.05 * torch.arange(classes).float()).view(1, classes, 1))
        self.shape = shape

    def forward(self, images):
        cell = F.avg_pool2d(images.mean(1, keepdim=True), 8).flatten(1)  # [B, A]
        side = 6 + 20 * cell
        boxes = torch.stack([self.gx.expand_as(cell), self.gy.expand_as(cell), side, side], 1)  # [B, 4, A]
        scores = torch.sigmoid(12 * (cell.unsqueeze(1) - self.offsets))  # [B, nc, A]
        out = torch.cat([boxes, scores], 1)
        return out.flatten(1) if self.shape == "rank2" else out


class TinyRcnn(torch.nn.Module):
    def forward(self, image):
        cell = F.avg_pool2d(image.mean(0, keepdim=True).unsqueeze(0), 8)[0, 0]  # [H/8, W/8]
        rows, cols = cell.shape
        ys = (torch.arange(rows).float() * 8).view(-1, 1).expand(rows, cols).flatten()
        xs = (torch.arange(cols).float() * 8).view(1, -1).expand(rows, cols).flatten()
        boxes = torch.stack([xs, ys, xs + 8, ys + 8], 1)
        scores = cell.flatten()
        labels = (scores > 0.7).long() + 1
        return boxes, labels, scores


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--classes", type=int, default=6)
    parser.add_argument("--shape", default="bcn")
    parser.add_argument("--static-batch", action="store_true")
    a = parser.parse_args()
    if a.shape == "rcnn":
        example = torch.zeros(a.channels, a.size, a.size)
        axes = {"images": {1: "height", 2: "width"}, "boxes": {0: "n"}, "labels": {0: "n"}, "scores": {0: "n"}}
        torch.onnx.export(TinyRcnn().eval(), (example,), a.out, input_names=["images"], output_names=["boxes", "labels", "scores"], dynamic_axes=axes, opset_version=12)
        return
    model = Tiny(a.size, a.classes, a.shape).eval()
    example = torch.zeros(1, a.channels, a.size, a.size)
    dynamic = None if a.static_batch else {"images": {0: "batch"}, "output0": {0: "batch"}}
    torch.onnx.export(model, example, a.out, input_names=["images"], output_names=["output0"], dynamic_axes=dynamic, opset_version=12)


if __name__ == "__main__":
    main()
