"""Train the small class-conditional digit model that ships with Paradiffuse.

Data: scikit-learn's bundled 8x8 handwritten digits (`sklearn.datasets.load_digits`, 1,797 images, values 0-16),
upsampled bilinearly to 32x32 and scaled to [-1, 1]. Labels 0-9 are the digits; label 10 is the null class used
for classifier-free guidance (a label is replaced by 10 with probability `NULL_LABEL_PROBABILITY` in training).

Writes a diffusers folder (`DDPMPipeline.save_pretrained`) into Sources/ParadiffusePipelines/DefaultModel/ together with
TRAINING.md, then samples two images per class with classifier-free guidance into a grid PNG.

Usage (from the package root):
    /work/refenv/bin/python Tools/train_default_model.py            # train, save, write /tmp/digits_grid.png
    /work/refenv/bin/python Tools/train_default_model.py --grid-only --guidance 1.5 --steps 50 --scheduler ddim
"""

import argparse
import copy
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from sklearn.datasets import load_digits

from diffusers import DDIMScheduler, DDPMPipeline, DDPMScheduler, UNet2DModel

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_FOLDER = PACKAGE_ROOT / "Sources" / "Pipelines" / "DefaultModel"

SEED = 0
IMAGE_SIZE = 32
NULL_CLASS = 10
NULL_LABEL_PROBABILITY = 0.15
MAX_SHIFT_PIXELS = 1
BATCH_SIZE = 32
TRAINING_STEPS = 1300
PEAK_LEARNING_RATE = 1e-3
FINAL_LEARNING_RATE_FRACTION = 0.1
WARMUP_STEPS = 100
EMA_DECAY = 0.995
GRADIENT_CLIP_NORM = 1.0
LOSS_REPORT_INTERVAL = 100
CHECKPOINT_PATH = Path("/tmp/default_model_ema_checkpoint.pt")

# What the sample grids of the seed-0 run looked like (two per digit, same seed for every setting).
SAMPLING_FINDINGS = """\
- DDPM (`DDPMScheduler`, ancestral) 100 steps, guidance 3: all 20 clean and clearly the right digit. The same with
  guidance 1.5 is as good. DDPM 50 steps, guidance 1.5: clean, but 2 of 20 look like other digits.
- DDIM (eta 0) 50 steps, guidance 1.5: all 20 recognizable, with faint residual noise; guidance 1 and 2 similar
  with one or two doubtful samples (a 7 that reads as 3); guidance 3 makes the 7s and 9s hard to read and leaves
  visible noise; guidance 5 breaks the digits apart. DDIM 100 steps (guidance 2) is noisier than 50.
- Recommended defaults: DDPM 100 steps with guidance 3, or DDIM 50 steps with guidance 1.5."""

UNET_CONFIG = dict(
    sample_size=IMAGE_SIZE,
    in_channels=1,
    out_channels=1,
    block_out_channels=(32, 64, 64),
    layers_per_block=1,
    down_block_types=("DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"),
    up_block_types=("AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"),
    attention_head_dim=32,
    norm_num_groups=8,
    num_class_embeds=NULL_CLASS + 1,
)

SCHEDULER_CONFIG = dict(
    num_train_timesteps=1000,
    beta_schedule="linear",
    beta_start=0.0001,
    beta_end=0.02,
    prediction_type="epsilon",
    clip_sample=True,
)


def load_digit_images() -> tuple[torch.Tensor, torch.Tensor]:
    digits = load_digits()
    small = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    upsampled = F.interpolate(small, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False)
    images = upsampled.clamp(0, 1) * 2 - 1
    labels = torch.tensor(digits.target, dtype=torch.long)
    return images, labels


def shift_randomly(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Moves each image by up to MAX_SHIFT_PIXELS in each direction, filling with background (-1)."""
    pad = MAX_SHIFT_PIXELS
    padded = F.pad(images, (pad, pad, pad, pad), value=-1.0)
    offsets = torch.randint(0, 2 * pad + 1, (images.shape[0], 2), generator=generator)
    return torch.stack(
        [padded[i, :, dy : dy + IMAGE_SIZE, dx : dx + IMAGE_SIZE] for i, (dy, dx) in enumerate(offsets.tolist())]
    )


def learning_rate_at(step: int) -> float:
    if step < WARMUP_STEPS:
        return PEAK_LEARNING_RATE * (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / max(1, TRAINING_STEPS - WARMUP_STEPS)
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return PEAK_LEARNING_RATE * (FINAL_LEARNING_RATE_FRACTION + (1 - FINAL_LEARNING_RATE_FRACTION) * cosine)


@torch.no_grad()
def update_ema(ema: torch.nn.Module, model: torch.nn.Module, step: int) -> None:
    decay = min(EMA_DECAY, (1 + step) / (10 + step))
    for ema_parameter, parameter in zip(ema.parameters(), model.parameters()):
        ema_parameter.lerp_(parameter, 1 - decay)


def train() -> tuple[UNet2DModel, DDPMScheduler, dict]:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    generator = torch.Generator().manual_seed(SEED)

    images, labels = load_digit_images()
    unet = UNet2DModel(**UNET_CONFIG)
    ema = copy.deepcopy(unet).eval().requires_grad_(False)
    scheduler = DDPMScheduler(**SCHEDULER_CONFIG)
    optimizer = torch.optim.AdamW(unet.parameters(), lr=PEAK_LEARNING_RATE, weight_decay=0.0)

    losses = []
    loss_curve = []
    start = time.time()
    for step in range(TRAINING_STEPS):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(step)
        indices = torch.randint(0, images.shape[0], (BATCH_SIZE,), generator=generator)
        clean = shift_randomly(images[indices], generator)
        class_labels = labels[indices].clone()
        dropped = torch.rand(BATCH_SIZE, generator=generator) < NULL_LABEL_PROBABILITY
        class_labels[dropped] = NULL_CLASS
        timesteps = torch.randint(0, SCHEDULER_CONFIG["num_train_timesteps"], (BATCH_SIZE,), generator=generator)
        noise = torch.randn(clean.shape, generator=generator)
        noisy = scheduler.add_noise(clean, noise, timesteps)

        with torch.autocast("cpu", dtype=torch.bfloat16):
            prediction = unet(noisy, timesteps, class_labels).sample
        loss = F.mse_loss(prediction.float(), noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(unet.parameters(), GRADIENT_CLIP_NORM)
        optimizer.step()
        update_ema(ema, unet, step)

        losses.append(loss.item())
        if (step + 1) % LOSS_REPORT_INTERVAL == 0:
            window_mean = float(np.mean(losses[-LOSS_REPORT_INTERVAL:]))
            loss_curve.append((step + 1, window_mean))
            elapsed = time.time() - start
            learning_rate = learning_rate_at(step)
            print(f"step {step + 1:5d}  loss {window_mean:.4f}  lr {learning_rate:.2e}  {elapsed:7.1f} s", flush=True)
            torch.save(ema.state_dict(), CHECKPOINT_PATH)

    record = dict(wall_seconds=time.time() - start, loss_curve=loss_curve)
    return ema, scheduler, record


def parameter_count(model: torch.nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())


def write_training_record(unet: UNet2DModel, record: dict) -> None:
    weights_bytes = (OUTPUT_FOLDER / "unet" / "diffusion_pytorch_model.safetensors").stat().st_size
    curve = "\n".join(f"| {step} | {loss:.4f} |" for step, loss in record["loss_curve"])
    text = f"""# Default model — how it was trained

Made by `Tools/train_default_model.py` (PyTorch {torch.__version__}, diffusers, CPU, one thread).

## Data
- scikit-learn's bundled handwritten digits (`sklearn.datasets.load_digits`): 1,797 grayscale 8x8 images,
  values 0-16, labels 0-9 (the UCI optical-recognition test set bundled with scikit-learn).
- Preprocessing: divide by 16, upsample to {IMAGE_SIZE}x{IMAGE_SIZE} with `torch.nn.functional.interpolate`
  (bilinear, `align_corners=False`), scale to [-1, 1] (background is -1, ink is +1).
- Augmentation: each training image is shifted by a random integer offset in [-{MAX_SHIFT_PIXELS}, {MAX_SHIFT_PIXELS}]
  pixels (at {IMAGE_SIZE}x{IMAGE_SIZE}) along each axis, filling with background.
- Conditioning: `class_labels` 0-9 are the digits; class {NULL_CLASS} is the null (unconditional) class. In training a
  label is replaced by {NULL_CLASS} with probability {NULL_LABEL_PROBABILITY}, so classifier-free guidance works as
  `eps = eps(x, t, {NULL_CLASS}) + g * (eps(x, t, c) - eps(x, t, {NULL_CLASS}))`.

## Architecture
`UNet2DModel` with
```json
{json.dumps(UNET_CONFIG, indent=2)}
```
(all other options are UNet2DModel defaults: positional time embedding with flip_sin_to_cos=True, freq_shift=0,
mid block with attention, SiLU, GroupNorm eps 1e-5). Parameters: {parameter_count(unet):,}
(`unet/diffusion_pytorch_model.safetensors`: {weights_bytes:,} bytes, float32).

## Noise schedule
`DDPMScheduler` with
```json
{json.dumps(SCHEDULER_CONFIG, indent=2)}
```
Objective: epsilon prediction, mean squared error, timesteps uniform in [0, 999].

## Optimization
- Seed {SEED} (`torch.manual_seed`, one `torch.Generator` for batches, shifts, label dropping, timesteps, noise).
- {TRAINING_STEPS} steps, batch size {BATCH_SIZE} (about {TRAINING_STEPS * BATCH_SIZE / 1797:.0f} epochs).
- AdamW (betas 0.9/0.999, weight decay 0), learning rate {PEAK_LEARNING_RATE:g} after {WARMUP_STEPS} linear warmup
  steps, cosine decay to {FINAL_LEARNING_RATE_FRACTION:g} of the peak; gradient norm clipped to {GRADIENT_CLIP_NORM}.
- Forward pass under `torch.autocast("cpu", dtype=torch.bfloat16)`; weights and optimizer state float32.
- The saved weights are an exponential moving average of the trained weights (decay
  min({EMA_DECAY}, (1 + step) / (10 + step))).
- Wall time: {record["wall_seconds"] / 60:.1f} minutes on 1 CPU thread (shared 2-core machine).

## Loss (mean over each window of {LOSS_REPORT_INTERVAL} steps)
| step | loss |
|---|---|
{curve}

## Sampling
Classifier-free guidance done by hand: one batch of null and class labels,
`eps = eps_null + g * (eps_class - eps_null)`, then `scheduler.step(eps, t, x, generator=generator)`.
`/work/refenv/bin/python Tools/train_default_model.py --grid-only [--scheduler ddpm|ddim] [--steps N] [--guidance G]`
writes a grid (columns are digits 0-9) to /tmp/digits_grid.png.

{SAMPLING_FINDINGS}
"""
    (OUTPUT_FOLDER / "TRAINING.md").write_text(text)


@torch.no_grad()
def sample_with_guidance(
    unet: UNet2DModel, scheduler, class_labels: torch.Tensor, guidance: float, steps: int, seed: int
) -> torch.Tensor:
    generator = torch.Generator("cpu").manual_seed(seed)
    count = class_labels.shape[0]
    shape = (count, unet.config.in_channels, unet.config.sample_size, unet.config.sample_size)
    image = torch.randn(shape, generator=generator)
    null_labels = torch.full_like(class_labels, NULL_CLASS)
    scheduler.set_timesteps(steps)
    for t in scheduler.timesteps:
        both = unet(torch.cat([image, image]), t, torch.cat([null_labels, class_labels])).sample
        eps_null, eps_class = both.chunk(2)
        eps = eps_null + guidance * (eps_class - eps_null)
        image = scheduler.step(eps, t, image, generator=generator).prev_sample
    return image


def save_grid(images: torch.Tensor, columns: int, path: Path, scale: int = 3) -> None:
    pixels = ((images / 2 + 0.5).clamp(0, 1) * 255).round().to(torch.uint8)[:, 0]
    count, height, width = pixels.shape
    rows = math.ceil(count / columns)
    grid = torch.zeros(rows * (height + 2), columns * (width + 2), dtype=torch.uint8)
    for index in range(count):
        row, column = divmod(index, columns)
        grid[row * (height + 2) + 1 : row * (height + 2) + 1 + height,
             column * (width + 2) + 1 : column * (width + 2) + 1 + width] = pixels[index]
    picture = Image.fromarray(grid.numpy(), mode="L")
    picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST).save(path)


def write_sample_grid(unet: UNet2DModel, scheduler_name: str, guidance: float, steps: int, path: Path) -> None:
    ddpm = DDPMScheduler(**SCHEDULER_CONFIG)
    scheduler = DDIMScheduler.from_config(ddpm.config) if scheduler_name == "ddim" else ddpm
    class_labels = torch.arange(10).repeat_interleave(2)
    images = sample_with_guidance(unet.eval(), scheduler, class_labels, guidance, steps, seed=SEED)
    save_grid(images.reshape(10, 2, 1, IMAGE_SIZE, IMAGE_SIZE).transpose(0, 1).reshape(20, 1, IMAGE_SIZE, IMAGE_SIZE),
              columns=10, path=path)
    print(f"wrote {path} ({scheduler_name}, {steps} steps, guidance {guidance}); columns are digits 0-9")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid-only", action="store_true", help="sample from the saved model instead of training")
    parser.add_argument("--checkpoint", type=Path, help="with --grid-only: sample from an EMA checkpoint instead")
    parser.add_argument("--guidance", type=float, default=3.0)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--scheduler", choices=["ddim", "ddpm"], default="ddpm")
    parser.add_argument("--grid", type=Path, default=Path("/tmp/digits_grid.png"))
    arguments = parser.parse_args()
    torch.set_num_threads(1)

    if arguments.grid_only:
        if arguments.checkpoint:
            unet = UNet2DModel(**UNET_CONFIG)
            unet.load_state_dict(torch.load(arguments.checkpoint))
        else:
            unet = UNet2DModel.from_pretrained(OUTPUT_FOLDER / "unet")
        write_sample_grid(unet, arguments.scheduler, arguments.guidance, arguments.steps, arguments.grid)
        return

    unet, scheduler, record = train()
    DDPMPipeline(unet=unet, scheduler=scheduler).save_pretrained(OUTPUT_FOLDER)
    write_training_record(unet, record)
    write_sample_grid(unet, arguments.scheduler, arguments.guidance, arguments.steps, arguments.grid)


if __name__ == "__main__":
    main()
