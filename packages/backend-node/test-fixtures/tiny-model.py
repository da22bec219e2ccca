"""Writes a tiny, deterministic Ultralytics-shaped ONNX detector for tests (no training, no weights).

Each 8x8 cell of the (channel-mean) input image is an anchor: the box is centred on the cell, its size
grows with the cell's brightness, and class k scores sigmoid(12 * (brightness - 0.45 - 0.05 k)), so a
bright square on a dark background gives confident boxes exactly there.

usage: tiny-model.py OUT.onnx --size 64 --channels 1 --classes 6 [--shape bcn|rank2] [--static-batch]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--classes", type=int, default=6)
    parser.add_argument("--shape", default="bcn")
    parser.add_argument("--static-batch", action="store_true")
    a = parser.parse_args()
    model = Tiny(a.size, a.classes, a.shape).eval()
    example = torch.zeros(1, a.channels, a.size, a.size)
    dynamic = None if a.static_batch else {"images": {0: "batch"}, "output0": {0: "batch"}}
    torch.onnx.export(model, example, a.out, input_names=["images"], output_names=["output0"], dynamic_axes=dynamic, opset_version=12)


if __name__ == "__main__":
    main()
