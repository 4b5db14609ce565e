"""Times the DiTTransformer2DModel forward pass in PyTorch and in Paradiffuse on the same folder, in alternating rounds.

    python Tools/bench/make_random_dit.py --out /tmp/dit-xl-2-256-random
    python Tools/bench/compare_dit.py --model /tmp/dit-xl-2-256-random --batch 2 --rounds 5 \
        --paradiffuse .build/release/paradiffuse [--precision bf16]

Batch 2 is one guided DiTPipeline step (the class and the null class). Each round runs PyTorch (median of
--iterations forwards after a warm-up) and then `paradiffuse bench` on the same folder; prints per-round times, the
median of each side, their ratio and GFLOP/s (linear layers, the patch convolution and attention matmuls).
With --precision bf16, PyTorch runs the model cast to bfloat16 (`model.to(torch.bfloat16)`, bfloat16 latents) and
Paradiffuse runs `bench --precision bf16`.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import torch
from diffusers import DiTTransformer2DModel



def count_flops(model, sample, timesteps, class_labels):
    """Multiply-adds x2 of the linear layers, the patch convolution and the attention matmuls of one forward pass."""
    flops = 0

    def linear_hook(module, inputs, output):
        nonlocal flops
        flops += 2 * output.numel() * module.in_features

    def conv_hook(module, inputs, output):
        nonlocal flops
        flops += 2 * output.numel() * module.weight[0].numel()

    def attention_hook(module, inputs, output):
        nonlocal flops
        batch, tokens, width = inputs[0].shape
        flops += 2 * 2 * batch * tokens * tokens * width

    handles = []
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            handles.append(module.register_forward_hook(linear_hook))
        elif isinstance(module, torch.nn.Conv2d):
            handles.append(module.register_forward_hook(conv_hook))
        elif type(module).__name__ == "Attention":
            handles.append(module.register_forward_hook(attention_hook))
    with torch.no_grad():
        model(sample, timestep=timesteps, class_labels=class_labels)
    for handle in handles:
        handle.remove()
    return flops


def time_pytorch(model, sample, timesteps, class_labels, iterations):
    times = []
    with torch.no_grad():
        model(sample, timestep=timesteps, class_labels=class_labels)
        for _ in range(iterations):
            start = time.perf_counter()
            model(sample, timestep=timesteps, class_labels=class_labels)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def time_paradiffuse(binary, model_dir, batch, iterations, threads, precision):
    environment = dict(os.environ, OMP_NUM_THREADS=str(threads))
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run([binary, "bench", "--model", model_dir, "--batch", str(batch), "--iterations", str(iterations),
                        "--json", report.name, "--precision", precision], check=True, stdout=subprocess.DEVNULL,
                       env=environment)
        with open(report.name) as file:
            return json.load(file)["unet_forward_ms"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--paradiffuse", required=True)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=["f32", "bf16"], default="f32")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float32
    model = DiTTransformer2DModel.from_pretrained(args.model, subfolder="transformer").eval().to(dtype)
    config = model.config
    size = config.sample_size
    sample = torch.randn(args.batch, config.in_channels, size, size,
                         generator=torch.Generator().manual_seed(0)).to(dtype)
    timesteps = torch.full((args.batch,), 500, dtype=torch.long)
    class_labels = torch.zeros(args.batch, dtype=torch.long)
    flops = count_flops(model, sample, timesteps, class_labels)

    torch_times, swift_times = [], []
    for round_index in range(args.rounds):
        torch_times.append(time_pytorch(model, sample, timesteps, class_labels, args.iterations))
        swift_times.append(time_paradiffuse(args.paradiffuse, args.model, args.batch, args.iterations, args.threads,
                                            args.precision))
        print(f"round {round_index + 1}: pytorch {torch_times[-1]:.1f} ms, paradiffuse {swift_times[-1]:.1f} ms",
              flush=True)
    torch_median, swift_median = statistics.median(torch_times), statistics.median(swift_times)
    print(json.dumps({
        "model": args.model, "batch": args.batch, "gflop_per_forward": flops / 1e9,
        "pytorch_ms": torch_median, "paradiffuse_ms": swift_median,
        "ratio_paradiffuse_over_pytorch": swift_median / torch_median,
        "pytorch_gflops": flops / 1e6 / torch_median, "paradiffuse_gflops": flops / 1e6 / swift_median,
        "pytorch_rounds_ms": torch_times, "paradiffuse_rounds_ms": swift_times,
        "torch_version": torch.__version__, "threads": args.threads, "precision": args.precision,
    }, indent=2))


if __name__ == "__main__":
    main()
