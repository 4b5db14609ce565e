"""Times a UNet forward pass in PyTorch and in Paradiffuse on the same folder, in alternating rounds.

    python Tools/bench/compare_unet.py --model /tmp/cifar10-unet --batch 1 --rounds 5 \
        --paradiffuse .build/release/paradiffuse [--precision bf16]

A UNet2DModel folder gets random samples of its sample_size; a UNet2DConditionModel folder (or a Stable Diffusion
folder, whose unet/ is used) random latents of its sample_size and random 77-token text embeddings.
With --precision bf16, PyTorch runs the model cast to bfloat16 (channels-last with --channels-last) and
Paradiffuse runs `bench --precision bf16`.

Each round runs PyTorch (median of --iterations forwards after a warm-up), then with --openvino the same model
converted by `openvino.convert_model` and compiled for the CPU (f32 inference precision for f32, bf16 for bf16),
then Paradiffuse's `bench` command (same count); the host drifts between a slow and a fast mode, so only rounds
that alternate are compared. Prints per-round times, the median of each engine, the ratios and GFLOP/s.
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
from diffusers import UNet2DConditionModel, UNet2DModel


def count_flops(model, inputs):
    """Multiply-adds x2 of convolutions, linear layers and attention matmuls in one forward pass."""
    flops = 0

    def conv_hook(module, inputs, output):
        nonlocal flops
        kernel = module.weight.shape[1] * module.weight.shape[2] * module.weight.shape[3]
        flops += 2 * output.numel() * kernel

    def linear_hook(module, inputs, output):
        nonlocal flops
        flops += 2 * output.numel() * module.in_features

    def attention_hook(module, inputs, output):
        nonlocal flops
        hidden = inputs[0]
        batch, channels = hidden.shape[0], hidden.shape[1]
        tokens = hidden.shape[2] * hidden.shape[3] if hidden.dim() == 4 else hidden.shape[1]
        width = channels if hidden.dim() == 4 else hidden.shape[2]
        flops += 2 * 2 * batch * tokens * tokens * width

    handles = []
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            handles.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, torch.nn.Linear):
            handles.append(module.register_forward_hook(linear_hook))
        elif type(module).__name__ == "Attention":
            handles.append(module.register_forward_hook(attention_hook))
    with torch.no_grad():
        model(*inputs["args"], **inputs["kwargs"])
    for handle in handles:
        handle.remove()
    return flops


def time_pytorch(model, inputs, iterations):
    times = []
    with torch.no_grad():
        model(*inputs["args"], **inputs["kwargs"])
        for _ in range(iterations):
            start = time.perf_counter()
            model(*inputs["args"], **inputs["kwargs"])
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


class Traced(torch.nn.Module):
    """The UNet with positional inputs and a tensor output, as `openvino.convert_model` traces it."""

    def __init__(self, model, kwargs):
        super().__init__()
        self.model, self.names = model, [name for name, value in kwargs.items() if value is not None]

    def forward(self, *inputs):
        sample, timestep, *rest = inputs
        return self.model(sample, timestep, **dict(zip(self.names, rest)), return_dict=False)[0]


def compile_openvino(model, inputs, threads, precision):
    """A callable running the OpenVINO-compiled model on `inputs`, and OpenVINO's version."""
    import openvino
    present = [value for value in inputs["kwargs"].values() if value is not None]
    example = tuple(argument.contiguous() for argument in inputs["args"]) + tuple(present)
    with torch.no_grad():
        converted = openvino.convert_model(Traced(model.float(), inputs["kwargs"]), example_input=example)
    compiled = openvino.Core().compile_model(converted, "CPU", {
        "INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY"})
    request = compiled.create_infer_request()
    arrays = [value.float().numpy() if value.is_floating_point() else value.numpy() for value in example]
    return (lambda: request.infer(arrays)), openvino.__version__


def time_callable(run, iterations):
    run()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def time_paradiffuse(binary, model_dir, batch, iterations, threads, precision):
    """The median forward time in ms and the process's peak resident memory in bytes."""
    environment = dict(os.environ, OMP_NUM_THREADS=str(threads))
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run([binary, "bench", "--model", model_dir, "--batch", str(batch),
                        "--iterations", str(iterations), "--json", report.name, "--precision", precision],
                       check=True, stdout=subprocess.DEVNULL, env=environment)
        with open(report.name) as file:
            result = json.load(file)
            return result["unet_forward_ms"], result["peak_rss_bytes"]


def load_model(folder, dtype, channels_last):
    """The UNet of `folder` with random inputs like Paradiffuse's `bench` makes."""
    unet_folder = os.path.join(folder, "unet") if os.path.exists(os.path.join(folder, "model_index.json")) else folder
    with open(os.path.join(unet_folder, "config.json")) as file:
        class_name = json.load(file)["_class_name"]
    generator = torch.Generator().manual_seed(0)
    if class_name == "UNet2DConditionModel":
        model = UNet2DConditionModel.from_pretrained(unet_folder).eval()
        config = model.config
        size = config.sample_size or 64
        make_inputs = lambda batch: {
            "args": (torch.randn(batch, config.in_channels, size, size, generator=generator),
                     torch.full((batch,), 500, dtype=torch.long)),
            "kwargs": {"encoder_hidden_states": torch.randn(batch, 77, config.cross_attention_dim, generator=generator)},
        }
    else:
        model = UNet2DModel.from_pretrained(unet_folder).eval()
        config = model.config
        size = config.sample_size if isinstance(config.sample_size, int) else config.sample_size[0]
        make_inputs = lambda batch: {
            "args": (torch.randn(batch, config.in_channels, size, size, generator=generator),
                     torch.full((batch,), 500, dtype=torch.long)),
            "kwargs": {"class_labels": torch.zeros(batch, dtype=torch.long) if config.num_class_embeds else None},
        }
    model = model.to(dtype)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)

    def cast(batch):
        inputs = make_inputs(batch)
        inputs["args"] = (inputs["args"][0].to(dtype),) + inputs["args"][1:]
        if "encoder_hidden_states" in inputs["kwargs"]:
            inputs["kwargs"]["encoder_hidden_states"] = inputs["kwargs"]["encoder_hidden_states"].to(dtype)
        if channels_last:
            inputs["args"] = (inputs["args"][0].to(memory_format=torch.channels_last),) + inputs["args"][1:]
        return inputs
    return model, cast


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--paradiffuse", required=True)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=["f32", "bf16"], default="f32")
    parser.add_argument("--channels-last", action="store_true", help="run PyTorch in channels-last memory format")
    parser.add_argument("--openvino", action="store_true", help="also time OpenVINO on the converted model")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float32
    model, make_inputs = load_model(args.model, dtype, args.channels_last)
    inputs = make_inputs(args.batch)
    flops = count_flops(model, inputs)

    openvino_run, openvino_version = None, None
    if args.openvino:
        _, float_inputs = load_model(args.model, torch.float32, False)
        float_model, _ = load_model(args.model, torch.float32, False)
        openvino_run, openvino_version = compile_openvino(float_model, float_inputs(args.batch), args.threads,
                                                          args.precision)
    torch_times, openvino_times, swift_times, swift_peaks = [], [], [], []
    for round_index in range(args.rounds):
        torch_times.append(time_pytorch(model, inputs, args.iterations))
        if openvino_run:
            openvino_times.append(time_callable(openvino_run, args.iterations))
        milliseconds, peak = time_paradiffuse(args.paradiffuse, args.model, args.batch, args.iterations, args.threads,
                                              args.precision)
        swift_times.append(milliseconds)
        swift_peaks.append(peak)
        openvino_text = f", openvino {openvino_times[-1]:.1f} ms" if openvino_times else ""
        print(f"round {round_index + 1}: pytorch {torch_times[-1]:.1f} ms{openvino_text}, "
              f"paradiffuse {swift_times[-1]:.1f} ms")
    torch_median, swift_median = statistics.median(torch_times), statistics.median(swift_times)
    openvino_fields = {}
    if openvino_times:
        openvino_median = statistics.median(openvino_times)
        openvino_fields = {"openvino_ms": openvino_median, "ratio_paradiffuse_over_openvino": swift_median / openvino_median,
                           "openvino_gflops": flops / 1e6 / openvino_median, "openvino_version": openvino_version}
    print(json.dumps({
        "model": args.model, "batch": args.batch, "gflop_per_forward": flops / 1e9,
        "pytorch_ms": torch_median, "paradiffuse_ms": swift_median,
        "ratio_paradiffuse_over_pytorch": swift_median / torch_median,
        "pytorch_gflops": flops / 1e6 / torch_median, "paradiffuse_gflops": flops / 1e6 / swift_median,
        "torch_version": torch.__version__, "threads": args.threads, "precision": args.precision,
        "pytorch_channels_last": args.channels_last,
        "pytorch_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "paradiffuse_peak_rss_bytes": max(swift_peaks), **openvino_fields,
    }, indent=2))


if __name__ == "__main__":
    main()
