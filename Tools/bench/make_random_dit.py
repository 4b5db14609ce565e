"""Writes a DiT-XL/2 256x256 pipeline with random weights, as a diffusers DiTPipeline folder, for benchmarks.

    python Tools/bench/make_random_dit.py --out /tmp/dit-xl-2-256-random

The transformer has facebook/DiT-XL-2-256's configuration (28 layers, 16 heads x 72, patch 2, 32x32x4 latents,
learned sigma, 1000 classes; 675M parameters, 2.7 GB in float32), saved as the legacy `Transformer2DModel` class
that checkpoint uses; the VAE has Stable Diffusion's AutoencoderKL configuration and the scheduler is DDIM.
Write it outside the repository (it is large).
"""
import argparse
import json
from pathlib import Path

import torch
from diffusers import AutoencoderKL, DDIMScheduler, DiTPipeline, Transformer2DModel

DIT_XL_2_256 = dict(
    num_attention_heads=16, attention_head_dim=72, in_channels=4, out_channels=8, num_layers=28,
    attention_bias=True, sample_size=32, patch_size=2, activation_fn="gelu-approximate", num_embeds_ada_norm=1000,
    norm_type="ada_norm_zero", norm_elementwise_affine=False, norm_eps=1e-5,
)

SD_VAE = dict(
    in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(128, 256, 512, 512), layers_per_block=2,
    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4, norm_num_groups=32,
    sample_size=256, scaling_factor=0.18215,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    transformer = Transformer2DModel(**DIT_XL_2_256)
    scheduler = DDIMScheduler(num_train_timesteps=1000, clip_sample=False)
    DiTPipeline(transformer=transformer, vae=AutoencoderKL(**SD_VAE), scheduler=scheduler).save_pretrained(args.out)
    index_path = Path(args.out) / "model_index.json"
    index = json.loads(index_path.read_text())
    index["id2label"] = {"207": "golden retriever", "360": "otter"}
    index_path.write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
