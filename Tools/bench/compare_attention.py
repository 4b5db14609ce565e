"""Attention speed and memory: Paradiffuse's ScaledDotProductAttention (the fused kernel; float32 heads wider than
160 go through oneDNN), in float32 and bfloat16 arithmetic, and its former oneDNN matmul + softmax path against torch.nn.functional.scaled_dot_product_attention on the same shapes.

Rounds alternate PyTorch and Paradiffuse (the order flips every round) because the host drifts between a slow and a
fast mode; medians over rounds are printed as a Markdown table.

    swift build -c release --scratch-path .build-attn --product AttentionBenchmark
    ../refenv/bin/python Tools/bench/compare_attention.py --benchmark .build-attn/release/AttentionBenchmark
    ../refenv/bin/python Tools/bench/compare_attention.py --benchmark .build-attn/release/AttentionBenchmark --memory
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

# (label, batch, queries, keys, heads, head size): SD 1.5 UNet at 512x512 with guidance (batch 2), its VAE mid-block.
SHAPES = [
    ("UNet self 64x64", 2, 4096, 4096, 8, 40),
    ("UNet self 32x32", 2, 1024, 1024, 8, 80),
    ("UNet self 16x16", 2, 256, 256, 8, 160),
    ("UNet cross 64x64", 2, 4096, 77, 8, 40),
    ("VAE mid 64x64", 1, 4096, 4096, 1, 512),
]
MEMORY_SHAPES = [
    ("UNet self 512x512 (64x64 latents)", 2, 4096, 4096, 8, 40),
    ("UNet self 768x768 (96x96 latents)", 2, 9216, 9216, 8, 40),
    ("VAE mid 768x768 (96x96 latents)", 1, 9216, 9216, 1, 512),
]
PATHS = ["f32", "bf16", "unfused"]


def torch_times(shape, dtype, iterations):
    import torch
    import torch.nn.functional as F

    _, batch, queries, keys, heads, head_size = shape
    generator = torch.Generator().manual_seed(0)

    def heads_view(tokens):
        x = torch.randn(batch, tokens, heads * head_size, generator=generator).to(dtype)
        return x.view(batch, tokens, heads, head_size).transpose(1, 2)  # as diffusers' AttnProcessor2_0

    q, k, v = heads_view(queries), heads_view(keys), heads_view(keys)
    times = []
    with torch.inference_mode():
        for _ in range(iterations + 1):
            start = time.perf_counter()
            out = F.scaled_dot_product_attention(q, k, v)
            out.transpose(1, 2).reshape(batch, queries, heads * head_size)
            times.append((time.perf_counter() - start) * 1000)
    return times[1:]


def paradiffuse_run(benchmark, path, shape, iterations):
    _, batch, queries, keys, heads, head_size = shape
    result = subprocess.run([benchmark, path, str(batch), str(queries), str(keys), str(heads), str(head_size),
                             str(iterations)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def gflops(shape, milliseconds):
    _, batch, queries, keys, heads, head_size = shape
    return 4 * batch * heads * queries * keys * head_size / milliseconds / 1e6


def speed(arguments):
    import torch

    torch.set_num_threads(arguments.threads)
    samples = {}
    for round_index in range(arguments.rounds):
        for shape in SHAPES:
            def run_torch():
                for name, dtype in (("torch-f32", torch.float32), ("torch-bf16", torch.bfloat16)):
                    samples.setdefault((shape[0], name), []).append(
                        statistics.median(torch_times(shape, dtype, arguments.iterations)))

            def run_paradiffuse():
                for path in PATHS:
                    samples.setdefault((shape[0], path), []).append(
                        statistics.median(paradiffuse_run(arguments.benchmark, path, shape, arguments.iterations)["ms"]))

            sides = [run_torch, run_paradiffuse] if round_index % 2 == 0 else [run_paradiffuse, run_torch]
            for side in sides:
                side()
        print(f"round {round_index + 1} done", file=sys.stderr)
    print("| shape | PyTorch SDPA f32 | Paradiffuse f32 | oneDNN matmul+softmax f32 | PyTorch SDPA bf16 "
          "| Paradiffuse bf16 | f32 / SDPA f32 | bf16 / SDPA bf16 |")
    print("|---|---|---|---|---|---|---|---|")
    for shape in SHAPES:
        median = {name: statistics.median(samples[(shape[0], name)])
                  for name in ["torch-f32", "f32", "unfused", "torch-bf16", "bf16"]}
        cells = [f"{median[name]:.1f} ms ({gflops(shape, median[name]):.0f})"
                 for name in ["torch-f32", "f32", "unfused", "torch-bf16", "bf16"]]
        ratios = [f"**{median['f32'] / median['torch-f32']:.2f}x**",
                  f"**{median['bf16'] / median['torch-bf16']:.2f}x**"]
        label = f"{shape[0]}: N={shape[1]} Tq={shape[2]} Tk={shape[3]} H={shape[4]} d={shape[5]}"
        print("| " + " | ".join([label] + cells + ratios) + " |")
    print("(milliseconds per call, median over rounds; GFLOP/s in brackets, counting 4·N·H·Tq·Tk·d)")


def torch_peak_increase(shape, dtype_name):
    """Peak resident memory added by one SDPA call, measured in a fresh interpreter."""
    code = f"""
import resource, torch, torch.nn.functional as F
torch.set_num_threads(2)
_, b, tq, tk, h, d = {shape!r}
dtype = getattr(torch, {dtype_name!r})
q = torch.randn(b, tq, h * d).to(dtype).view(b, tq, h, d).transpose(1, 2)
k = torch.randn(b, tk, h * d).to(dtype).view(b, tk, h, d).transpose(1, 2)
v = torch.randn(b, tk, h * d).to(dtype).view(b, tk, h, d).transpose(1, 2)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with torch.inference_mode():
    F.scaled_dot_product_attention(q, k, v)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


def memory(arguments):
    print("| shape | Paradiffuse f32 | Paradiffuse bf16 | oneDNN matmul+softmax | PyTorch SDPA f32 | PyTorch SDPA bf16 |")
    print("|---|---|---|---|---|---|")
    for shape in MEMORY_SHAPES:
        cells = []
        for path in PATHS:
            run = paradiffuse_run(arguments.benchmark, path, shape, 1)
            cells.append(f"{run['peak_mib'] - run['inputs_peak_mib']:.0f} MiB")
        for dtype_name in ("float32", "bfloat16"):
            cells.append(f"{torch_peak_increase(shape, dtype_name):.0f} MiB")
        label = f"{shape[0]}: N={shape[1]} T={shape[2]} H={shape[4]} d={shape[5]}"
        print("| " + " | ".join([label] + cells) + " |")
    print("(peak resident memory added by the attention call over the inputs: output, workspace, scores)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmark", required=True, help="path of the AttentionBenchmark executable")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory", action="store_true", help="measure peak memory instead of speed")
    arguments = parser.parse_args()
    if arguments.memory:
        memory(arguments)
    else:
        speed(arguments)


if __name__ == "__main__":
    main()
