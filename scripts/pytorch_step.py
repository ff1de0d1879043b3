#!/usr/bin/python3
"""PyTorch's BP-FP32 training step on the workbench's presets, the reference of issue 15's speed targets.

Builds the same networks as `ffint8 model show NAME` (resnet-18's CIFAR variant, mobilenet-v2 and
efficientnet-b0 with the strides adapted to 32x32, efficientnet without squeeze-excitation), checks
that the parameter counts agree, and times forward, cross-entropy, backward and an Adam step at the
given batch on random images of the given shape, on the CPU (Debian's python3-torch is built with
oneDNN). Prints one JSON line per model: median, min and max milliseconds per step over the repeats.

    sudo apt-get install python3-torch
    scripts/pytorch_step.py --model resnet-18 --input 1x32x32 --batch 32 --threads 2
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


def conv_bn(cin, cout, k, stride, act, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)] + (
        [act()] if act else [])


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(cin, cout, 3, stride, nn.ReLU), *conv_bn(cout, cout, 3, 1, None))
        self.shortcut = nn.Sequential(*conv_bn(cin, cout, 1, stride, None)) if stride != 1 or cin != cout else None

    def forward(self, x):
        return torch.relu(self.body(x) + (self.shortcut(x) if self.shortcut is not None else x))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, expand, k, stride, act):
        super().__init__()
        hidden = cin * expand
        layers = conv_bn(cin, hidden, 1, 1, act) if expand != 1 else []
        layers += conv_bn(hidden, hidden, k, stride, act, groups=hidden) + conv_bn(hidden, cout, 1, 1, None)
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def resnet18(channels, classes):
    layers, cin = conv_bn(channels, 64, 3, 1, nn.ReLU), 64
    for stage, width in enumerate([64, 128, 256, 512]):
        for b in range(2):
            layers.append(BasicBlock(cin, width, 2 if stage > 0 and b == 0 else 1))
            cin = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes))


def mobile(channels, classes, act, stages):
    layers, cin = conv_bn(channels, 32, 3, 1, act), 32
    for expand, k, stride, cout, repeats in stages:
        for r in range(repeats):
            layers.append(InvertedResidual(cin, cout, expand, k, stride if r == 0 else 1, act))
            cin = cout
    layers += conv_bn(cin, 1280, 1, 1, act)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1280, classes))


MODELS = {
    "resnet-18": (lambda c, n: resnet18(c, n), 11173962),
    "mobilenet-v2": (lambda c, n: mobile(c, n, nn.ReLU6, [(1, 3, 1, 16, 1), (6, 3, 1, 24, 2), (6, 3, 2, 32, 3),
                                                          (6, 3, 2, 64, 4), (6, 3, 1, 96, 3), (6, 3, 2, 160, 3),
                                                          (6, 3, 1, 320, 1)]), 2236682),
    "efficientnet-b0": (lambda c, n: mobile(c, n, nn.SiLU, [(1, 3, 1, 16, 1), (6, 3, 1, 24, 2), (6, 5, 2, 40, 2),
                                                             (6, 3, 2, 80, 3), (6, 5, 1, 112, 3), (6, 5, 2, 192, 4),
                                                             (6, 3, 1, 320, 1)]), 3383818),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="resnet-18", choices=sorted(MODELS) + ["all"])
    p.add_argument("--input", default="1x32x32", help="CxHxW of one image")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=10, help="timed steps after 2 warm-up steps")
    p.add_argument("--channels-last", action="store_true", help="NHWC tensors, as the workbench's")
    a = p.parse_args()
    c, h, w = (int(v) for v in a.input.split("x"))
    torch.manual_seed(1)
    torch.set_num_threads(a.threads)
    for name in sorted(MODELS) if a.model == "all" else [a.model]:
        build, params_10_classes = MODELS[name]
        model = build(c, 10)
        params = sum(t.numel() for t in model.parameters())
        if c == 3 and params != params_10_classes:
            raise SystemExit(f"{name}: {params} parameters, the workbench's preset has {params_10_classes}")
        fmt = torch.channels_last if a.channels_last else torch.contiguous_format
        model = model.to(memory_format=fmt).train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.rand(a.batch, c, h, w).to(memory_format=fmt)
        y = torch.randint(0, 10, (a.batch,))
        times = []
        for step in range(a.steps + 2):
            start = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            if step >= 2:
                times.append((time.perf_counter() - start) * 1e3)
        print(json.dumps({"model": name, "torch": torch.__version__, "onednn": torch.backends.mkldnn.is_available(),
                          "threads": a.threads, "batch": a.batch, "input": a.input, "parameters": params,
                          "channels_last": a.channels_last, "step_ms_median": round(statistics.median(times), 2),
                          "step_ms_min": round(min(times), 2), "step_ms_max": round(max(times), 2)}))


if __name__ == "__main__":
    main()
