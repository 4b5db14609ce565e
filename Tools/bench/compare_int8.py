"""Times `paradiffuse bench` on one UNet folder in float32, bfloat16, int8 and int8 + bfloat16, in alternating rounds,
and optionally PyTorch's float32 model against `torch.ao.quantization.quantize_dynamic` (which quantizes only
nn.Linear layers: per-tensor affine uint8 activations with reduce_range, per-channel int8 weights).

    python Tools/bench/compare_int8.py --model /tmp/cifar10-unet --paradiffuse .build/release/paradiffuse \
        --batch 1 --rounds 3 --iterations 5 [--pytorch]

Each round runs every configuration once (the order rotates every round); the host drifts between a slow and a
fast mode, so only configurations within one round are compared. Prints per-round medians, the median over rounds
and each one's ratio to float32, and Paradiffuse's peak resident memory.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

CONFIGURATIONS = [("f32", "none"), ("bf16", "none"), ("f32", "int8"), ("bf16", "int8")]


def time_paradiffuse(binary, model, batch, iterations, threads, precision, quantization):
    environment = dict(os.environ, OMP_NUM_THREADS=str(threads))
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run([binary, "bench", "--model", model, "--batch", str(batch), "--iterations", str(iterations),
                        "--precision", precision, "--quantize", quantization, "--json", report.name],
                       check=True, env=environment, stdout=subprocess.DEVNULL)
        result = json.load(open(report.name))
    return result["unet_forward_ms"], result["peak_rss_bytes"]


def pytorch_models(model_dir, batch):
    import torch
    from diffusers import UNet2DModel
    model = UNet2DModel.from_pretrained(model_dir).eval()
    quantized = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    size = model.config.sample_size
    size = size if isinstance(size, (list, tuple)) else (size, size)
    generator = torch.Generator().manual_seed(0)
    sample = torch.randn(batch, model.config.in_channels, *size, generator=generator)
    timestep = torch.full((batch,), 500)
    return {"pytorch f32": model, "pytorch quantize_dynamic": quantized}, (sample, timestep)


def time_pytorch(model, inputs, iterations):
    import torch
    times = []
    with torch.no_grad():
        model(*inputs)
        for _ in range(iterations):
            start = time.perf_counter()
            model(*inputs)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, help="a UNet folder (for Stable Diffusion, its unet/)")
    parser.add_argument("--paradiffuse", required=True)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pytorch", action="store_true", help="also time PyTorch f32 and quantize_dynamic")
    arguments = parser.parse_args()

    pytorch = {}
    if arguments.pytorch:
        import torch
        torch.set_num_threads(arguments.threads)
        pytorch, inputs = pytorch_models(arguments.model, arguments.batch)
    names = [f"{p} / {q}" for p, q in CONFIGURATIONS] + list(pytorch)
    times = {name: [] for name in names}
    memory = {}
    for round_index in range(arguments.rounds):
        order = names[round_index % len(names):] + names[:round_index % len(names)]
        for name in order:
            if name in pytorch:
                times[name].append(time_pytorch(pytorch[name], inputs, arguments.iterations))
            else:
                precision, quantization = name.split(" / ")
                milliseconds, peak = time_paradiffuse(arguments.paradiffuse, arguments.model, arguments.batch,
                                                      arguments.iterations, arguments.threads, precision, quantization)
                times[name].append(milliseconds)
                memory[name] = max(memory.get(name, 0), peak)
        print(f"round {round_index + 1}: " + ", ".join(f"{name} {times[name][-1]:.1f} ms" for name in names),
              flush=True)
    baseline = statistics.median(times["f32 / none"])
    torch_baseline = statistics.median(times["pytorch f32"]) if pytorch else None
    for name in names:
        median = statistics.median(times[name])
        reference = torch_baseline if name in pytorch else baseline
        peak = f", peak RSS {memory[name] / 2**20:.0f} MiB" if name in memory else ""
        print(f"{name:28s} median {median:9.1f} ms  ({median / reference:.2f}x of its f32){peak}")


if __name__ == "__main__":
    main()
