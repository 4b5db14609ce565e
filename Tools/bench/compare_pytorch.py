"""Times diffusers/PyTorch and Paradiffuse on the same folder, component by component, in alternating rounds.

    ../refenv/bin/python Tools/bench/compare_pytorch.py --model /tmp/sd15-random \
        --paradiffuse .build/release/paradiffuse [--precision bf16] [--rounds 3] [--size 512] [--full --steps 20]

A Stable Diffusion folder (model_index.json with a UNet2DConditionModel unet and an AutoencoderKL vae) is timed as
`paradiffuse bench` times it: the text encoder on one prompt and one negative prompt (diffusers' `encode_prompt`
with guidance, tokenization included), the UNet forward pass at the guided batch (--batch, default 2) on random
latents of size/8 and random 77-token text embeddings, the VAE decoding one latent to a size x size image, and with
--vae-encode the VAE encoding one image. With --full, each round also runs a whole text-to-image generation with
DPM-Solver++ (--steps, guidance 7.5) on both sides: `paradiffuse generate --scheduler dpm-solver` (process wall time,
loading included) against `StableDiffusionPipeline(...)` with DPMSolverMultistepScheduler (the call; the pipeline is
loaded once beforehand, its load time is printed apart).

A UNet2DModel or UNet2DConditionModel folder gets the UNet row only (random inputs of its sample_size, as
compare_unet.py), at --batch (default 1).

PyTorch runs in this process with torch.set_num_threads(--threads), in bfloat16 (`dtype`/`.to`) with
--precision bf16, optionally channels-last; Paradiffuse runs `bench --json` (and `generate`) as a subprocess with
OMP_NUM_THREADS=--threads. Each round runs PyTorch, then Paradiffuse (each side: one warm-up call per component, then
the median of --iterations calls); the host drifts between a slow and a fast mode, so only alternating rounds are
compared. Prints per-round times, then a Markdown table of medians over rounds, ratios (Paradiffuse / PyTorch),
GFLOP/s (convolutions, linear layers and attention matmuls counted with forward hooks on the PyTorch modules, as
compare_unet.py) and the load average.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time

import torch
from diffusers import DPMSolverMultistepScheduler, StableDiffusionPipeline

from compare_unet import load_model as load_unet

PROMPT, NEGATIVE_PROMPT = "a photo of a cat", "blurry"
TEXT_TOKENS = 77

# Component names as `paradiffuse bench --components` takes them, their JSON key and their label in the table.
COMPONENTS = {
    "text-encoder": ("text_encoder_ms", "text encoder (prompt + negative prompt)"),
    "unet": ("unet_forward_ms", "UNet forward, batch {batch}"),
    "vae-decode": ("vae_decode_ms", "VAE decode, {size}x{size}"),
    "vae-encode": ("vae_encode_ms", "VAE encode, {size}x{size}"),
}


def count_flops(module, call):
    """Multiply-adds x2 of the convolutions, linear layers and attention matmuls (Q·Kᵀ and P·V) of `call()`."""
    flops = 0

    def conv_hook(layer, inputs, output):
        nonlocal flops
        flops += 2 * output.numel() * layer.weight[0].numel()

    def linear_hook(layer, inputs, output):
        nonlocal flops
        flops += 2 * output.numel() * layer.in_features

    def attention_hook(layer, args, kwargs, output):
        nonlocal flops
        hidden = args[0] if args else kwargs["hidden_states"]
        context = kwargs.get("encoder_hidden_states")  # diffusers passes cross-attention context by keyword
        batch = hidden.shape[0]
        queries = hidden.shape[2] * hidden.shape[3] if hidden.dim() == 4 else hidden.shape[1]
        keys = context.shape[1] if context is not None else queries
        width = getattr(layer, "inner_dim", None) or getattr(layer, "embed_dim")
        flops += 2 * 2 * batch * queries * keys * width

    handles = []
    for layer in module.modules():
        if isinstance(layer, torch.nn.Conv2d):
            handles.append(layer.register_forward_hook(conv_hook))
        elif isinstance(layer, torch.nn.Linear):
            handles.append(layer.register_forward_hook(linear_hook))
        elif type(layer).__name__ in ("Attention", "CLIPAttention"):
            handles.append(layer.register_forward_hook(attention_hook, with_kwargs=True))
    with torch.no_grad():
        call()
    for handle in handles:
        handle.remove()
    return flops


def median_ms(call, iterations):
    """The median of `iterations` timed calls after one warm-up call, in milliseconds."""
    times = []
    with torch.no_grad():
        call()
        for _ in range(iterations):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def is_stable_diffusion(folder):
    index = os.path.join(folder, "model_index.json")
    if not os.path.exists(index):
        return False
    with open(index) as file:
        components = json.load(file)
    return (components.get("unet", [None, None])[1] == "UNet2DConditionModel"
            and components.get("vae", [None, None])[1] == "AutoencoderKL")


def stable_diffusion_calls(pipeline, args, dtype):
    """PyTorch calls of each component, and the module whose layers count its FLOPs."""
    generator = torch.Generator().manual_seed(0)
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    unet, vae = pipeline.unet, pipeline.vae
    latent_size = args.size // pipeline.vae_scale_factor
    latents = torch.randn(args.batch, unet.config.in_channels, latent_size, latent_size, generator=generator)
    latents = latents.to(dtype).to(memory_format=memory_format)
    context = torch.randn(args.batch, TEXT_TOKENS, unet.config.cross_attention_dim, generator=generator).to(dtype)
    timestep = torch.full((args.batch,), 500, dtype=torch.long)
    decode_latents = torch.randn(1, vae.config.latent_channels, latent_size, latent_size, generator=generator)
    decode_latents = (decode_latents / vae.config.scaling_factor).to(dtype).to(memory_format=memory_format)
    images = torch.randn(1, vae.config.in_channels, args.size, args.size, generator=generator)
    images = images.to(dtype).to(memory_format=memory_format)
    calls = {
        "text-encoder": (pipeline.text_encoder, lambda: pipeline.encode_prompt(
            PROMPT, "cpu", 1, True, negative_prompt=NEGATIVE_PROMPT)),
        "unet": (unet, lambda: unet(latents, timestep, encoder_hidden_states=context)),
        "vae-decode": (vae, lambda: vae.decode(decode_latents)),
        "vae-encode": (vae, lambda: vae.encode(images)),
    }
    return {name: calls[name] for name in args.components}


def unet_calls(args, dtype):
    model, make_inputs = load_unet(args.model, dtype, args.channels_last)
    inputs = make_inputs(args.batch)
    return {"unet": (model, lambda: model(*inputs["args"], **inputs["kwargs"]))}


def run_paradiffuse_bench(args):
    """`paradiffuse bench --json`'s medians per component, and its peak resident memory."""
    environment = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    command = [args.paradiffuse, "bench", "--model", args.model, "--batch", str(args.batch),
               "--iterations", str(args.iterations), "--precision", args.precision]
    if args.stable_diffusion:
        command += ["--width", str(args.size), "--height", str(args.size), "--components", ",".join(args.components)]
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(command + ["--json", report.name], check=True, stdout=subprocess.DEVNULL, env=environment)
        with open(report.name) as file:
            result = json.load(file)
    return {name: result[COMPONENTS[name][0]] for name in args.components}, result["peak_rss_bytes"]


def run_paradiffuse_generate(args):
    """Wall seconds of one `paradiffuse generate` process (loading included)."""
    environment = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    with tempfile.TemporaryDirectory() as folder:
        command = [args.paradiffuse, "generate", "--model", args.model, "--prompt", PROMPT,
                   "--negative-prompt", NEGATIVE_PROMPT, "--scheduler", "dpm-solver", "--steps", str(args.steps),
                   "--width", str(args.size), "--height", str(args.size), "--guidance", "7.5", "--seed", "0",
                   "--precision", args.precision, "--output", os.path.join(folder, "image.png"), "--quiet"]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
        return time.perf_counter() - start


def run_pytorch_generate(pipeline, args):
    start = time.perf_counter()
    with torch.no_grad():
        pipeline(PROMPT, negative_prompt=NEGATIVE_PROMPT, num_inference_steps=args.steps, height=args.size,
                 width=args.size, guidance_scale=7.5, generator=torch.Generator().manual_seed(0))
    return time.perf_counter() - start


def load_averages():
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--paradiffuse", required=True)
    parser.add_argument("--precision", choices=["f32", "bf16"], default="f32")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=1, help="timed calls per component per round and side")
    parser.add_argument("--size", type=int, default=512, help="image side in pixels (Stable Diffusion)")
    parser.add_argument("--steps", type=int, default=20, help="denoising steps of --full")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, help="UNet batch (default: 2 for Stable Diffusion, else 1)")
    parser.add_argument("--components", default="text-encoder,unet,vae-decode",
                        help="Stable Diffusion components, comma-separated, from " + ", ".join(COMPONENTS))
    parser.add_argument("--vae-encode", action="store_true", help="also time the VAE encoder")
    parser.add_argument("--full", action="store_true", help="also time whole text-to-image generations")
    parser.add_argument("--channels-last", action="store_true", help="run PyTorch in channels-last memory format")
    args = parser.parse_args()
    if args.size % 8 != 0 or args.size <= 0:
        parser.error(f"--size must be a positive multiple of 8, got {args.size}")
    torch.set_num_threads(args.threads)
    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float32

    args.stable_diffusion = is_stable_diffusion(args.model)
    pipeline = None
    if args.stable_diffusion:
        args.batch = args.batch or 2
        args.components = args.components.split(",") + (["vae-encode"] if args.vae_encode else [])
        unknown = [name for name in args.components if name not in COMPONENTS]
        if unknown:
            parser.error(f"--components: unknown {unknown}; choose from {', '.join(COMPONENTS)}")
        load_start = time.perf_counter()
        pipeline = StableDiffusionPipeline.from_pretrained(args.model, dtype=dtype)
        if args.channels_last:
            pipeline.unet.to(memory_format=torch.channels_last)
            pipeline.vae.to(memory_format=torch.channels_last)
        pipeline.scheduler = DPMSolverMultistepScheduler.from_config(pipeline.scheduler.config)
        pipeline.set_progress_bar_config(disable=True)
        print(f"PyTorch pipeline loaded in {time.perf_counter() - load_start:.1f} s")
        calls = stable_diffusion_calls(pipeline, args, dtype)
    else:
        if args.full:
            parser.error("--full needs a Stable Diffusion folder")
        args.batch = args.batch or 1
        args.components = ["unet"]
        calls = unet_calls(args, dtype)
    flops = {name: count_flops(module, call) for name, (module, call) in calls.items()}

    rows = list(args.components) + (["full"] if args.full else [])
    torch_times = {name: [] for name in rows}
    swift_times = {name: [] for name in rows}
    swift_peaks, loads = [], []
    for round_index in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for name, (_, call) in calls.items():
            torch_times[name].append(median_ms(call, args.iterations))
        medians, peak = run_paradiffuse_bench(args)
        for name, milliseconds in medians.items():
            swift_times[name].append(milliseconds)
        swift_peaks.append(peak)
        if args.full:
            torch_times["full"].append(run_pytorch_generate(pipeline, args) * 1000)
            swift_times["full"].append(run_paradiffuse_generate(args) * 1000)
        loads.append(os.getloadavg()[0])
        print(f"round {round_index + 1} (load {load_averages()}): " + "; ".join(
            f"{name} pytorch {torch_times[name][-1]:.1f} ms, paradiffuse {swift_times[name][-1]:.1f} ms"
            for name in rows), flush=True)

    print()
    print(f"{args.model}, {args.precision}, {args.threads} threads, {args.rounds} alternating rounds "
          f"(PyTorch {torch.__version__}; medians over rounds of the median of {args.iterations} calls each)")
    print()
    print("| component | PyTorch | Paradiffuse | ratio (Paradiffuse / PyTorch) | round ratios | GFLOP | "
          "GFLOP/s PyTorch / Paradiffuse |")
    print("|---|---|---|---|---|---|---|")
    for name in rows:
        torch_median, swift_median = statistics.median(torch_times[name]), statistics.median(swift_times[name])
        ratios = ", ".join(f"{swift / torch_:.2f}" for torch_, swift in zip(torch_times[name], swift_times[name]))
        if name == "full":
            label = f"whole generation, {args.steps} DPM-Solver++ steps, {args.size}x{args.size} (Paradiffuse: process)"
            gflop, rates = "—", "—"
        else:
            label = COMPONENTS[name][1].format(batch=args.batch, size=args.size)
            gflop = f"{flops[name] / 1e9:.1f}"
            rates = f"{flops[name] / 1e6 / torch_median:.0f} / {flops[name] / 1e6 / swift_median:.0f}"
        print(f"| {label} | {torch_median:,.1f} ms | {swift_median:,.1f} ms | **{swift_median / torch_median:.2f}x** "
              f"| {ratios} | {gflop} | {rates} |")
    print()
    print(f"Load average (1 min) during the rounds: {min(loads):.1f}–{max(loads):.1f}; now {load_averages()}. "
          f"Peak resident memory: PyTorch process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB "
          f"(everything loaded at once), Paradiffuse bench {max(swift_peaks) / 2**30:.2f} GiB (largest component).")


if __name__ == "__main__":
    main()
