"""Writes a Stable Diffusion 1.5-architecture folder with random weights (not committed) for full-size runs:
UNet2DConditionModel, CLIPTextModel (ViT-L/14 text tower), AutoencoderKL and PNDM scheduler with SD 1.5's configs,
and the CLIP tokenizer from Tests/Fixtures/clip-tokenizer.

    ../refenv/bin/python Tools/bench/make_random_sd.py --out /tmp/sd15-random
"""
import argparse
import shutil
from pathlib import Path

import torch
from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

ROOT = Path(__file__).resolve().parents[2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.manual_seed(0)
    unet = UNet2DConditionModel(sample_size=64, cross_attention_dim=768, attention_head_dim=8)
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(128, 256, 512, 512),
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                        layers_per_block=2, sample_size=512)
    text_encoder = CLIPTextModel(CLIPTextConfig(hidden_size=768, intermediate_size=3072, num_attention_heads=12,
                                                num_hidden_layers=12, projection_dim=768, hidden_act="quick_gelu",
                                                vocab_size=49408, max_position_embeddings=77))
    tokenizer_folder = ROOT / "Tests" / "Fixtures" / "clip-tokenizer"
    tokenizer = CLIPTokenizer(str(tokenizer_folder / "vocab.json"), str(tokenizer_folder / "merges.txt"),
                              model_max_length=77)
    scheduler = PNDMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                              skip_prk_steps=True, steps_offset=1, set_alpha_to_one=False)
    pipeline = StableDiffusionPipeline(unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                                       scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                       requires_safety_checker=False)
    pipeline.save_pretrained(args.out)
    shutil.rmtree(Path(args.out) / "safety_checker", ignore_errors=True)
    # transformers 5 saves only tokenizer.json; Stable Diffusion folders carry the BPE files too.
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(tokenizer_folder / name, Path(args.out) / "tokenizer" / name)


if __name__ == "__main__":
    main()
