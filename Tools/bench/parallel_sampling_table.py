"""Runs the parallel samplers on the embedded digits model and prints a Markdown table for BENCHMARKS.md:
iterations, model evaluations, difference from the sequential sampler with the same noise, and wall time
against it (both measured in the same `paradiffuse generate --compare-sequential` run).

    python3 Tools/bench/parallel_sampling_table.py --paradiffuse .build/release/paradiffuse \
        [--groups ddpm,ddim,parataa,dpm] [--clip-sample on|off]

`--clip-sample off` runs a copy of the embedded model whose scheduler_config.json sets `clip_sample` false (the
DDPM/DDIM steps then use x̂₀ unclipped, as latent-space models such as Stable Diffusion do). Every run passes
`--guidance` (default 3, the embedded model's default): a copied folder is not the embedded model, so without it
`generate` would sample the copy unguided (guidance 1) and the two modes would not be comparable.
"""
import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "Sources" / "Pipelines" / "DefaultModel"

GROUPS = {
    "ddpm": [("ddpm", 1000, "paradigms", ["--parallel", str(p), "--tolerance", str(t)])
             for p in (16, 32, 64, 100) for t in (0.1, 0.01, 0.001)],
    "ddim": [("ddim", n, "paradigms", ["--parallel", str(p), "--tolerance", str(t)])
             for n in (100, 50, 25) for p in (16,) for t in (0.1, 0.01)],
    "parataa": [("ddim", n, "parataa", ["--order", str(k), "--memory", str(m), "--tolerance", str(t)])
                for n in (100, 50, 25)
                for (k, m, t) in ((1, 1, 1e-3), (20, 2, 1e-3), (20, 2, 1e-4), (n, 2, 1e-4), (n, 3, 1e-4))],
    "dpm": [("dpm-solver", n, "paradigms", ["--parallel", str(p), "--tolerance", str(t)])
            for n in (50, 25) for p in (16, n) for t in (0.1, 0.01)],
}


def model_folder(clip_sample, scratch):
    if clip_sample:
        return DEFAULT_MODEL
    folder = Path(scratch) / "digits-no-clip"
    shutil.copytree(DEFAULT_MODEL, folder)
    config_path = folder / "scheduler" / "scheduler_config.json"
    config = json.loads(config_path.read_text())
    config["clip_sample"] = False
    config_path.write_text(json.dumps(config, indent=2))
    return folder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--paradiffuse", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--groups", default="ddpm,ddim,parataa,dpm")
    parser.add_argument("--clip-sample", choices=("on", "off"), default="on")
    parser.add_argument("--guidance", type=float, default=3.0,
                        help="classifier-free guidance of every run (default 3, as the embedded model)")
    args = parser.parse_args()
    print("| scheduler | steps | sampler | settings | iterations | model evaluations | max abs / RMS vs sequential "
          "| wall time (sequential) |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        model = model_folder(args.clip_sample == "on", scratch)
        for group in args.groups.split(","):
            for scheduler, steps, sampler, extra in GROUPS[group]:
                stats = Path(scratch) / "stats.json"
                subprocess.run([args.paradiffuse, "generate", "--model", str(model), "--class", "3",
                                "--seed", str(args.seed), "--guidance", str(args.guidance),
                                "--scheduler", scheduler, "--steps", str(steps),
                                "--sampler", sampler, *extra, "--compare-sequential", "--stats", str(stats),
                                "--quiet", "--overwrite", "--output", str(Path(scratch) / "image.png")], check=True)
                report = json.loads(stats.read_text())
                statistics, comparison = report["statistics"], report["comparison"]
                print(f"| {scheduler} | {steps} | {sampler} | {' '.join(extra)} "
                      f"| {statistics['parallel_iterations']} | {statistics['model_evaluations']} "
                      f"| {comparison['max_abs_difference']:.1e} / {comparison['rms_difference']:.1e} "
                      f"| {statistics['wall_seconds']:.1f} s ({comparison['sequential_wall_seconds']:.1f} s) |",
                      flush=True)


if __name__ == "__main__":
    main()
