"""Writes a UNet2DModel with random weights, as a diffusers component folder, for benchmarks.

    python Tools/bench/make_random_unet.py --config Tools/bench/cifar10_config.json --out /tmp/cifar10-unet
"""
import argparse
import json

import torch
from diffusers import UNet2DModel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    with open(args.config) as file:
        config = json.load(file)
    UNet2DModel.from_config(config).save_pretrained(args.out)


if __name__ == "__main__":
    main()
