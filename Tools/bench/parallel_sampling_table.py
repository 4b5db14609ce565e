"""Runs the parallel samplers on the embedded digits model and prints a Markdown table for BENCHMARKS.md:
iterations, model evaluations, difference from the sequential sampler with the same noise, and wall time
against it (both measured in the same `paradiffuse generate --compare-sequential` run).

    python3 Tools/bench/parallel_sampling_table.py --paradiffuse .build/release/paradiffuse [--quick]
"""
import argparse
import json
import subprocess
import tempfile
from pathlib import Path

RUNS = [
    # (scheduler, steps, sampler, extra arguments)
    *[("ddpm", 1000, "paradigms", ["--parallel", str(p), "--tolerance", str(t)])
      for p in (16, 32, 64, 100) for t in (0.1, 0.01, 0.001)],
    *[("ddim", n, "paradigms", ["--parallel", str(p), "--tolerance", str(t)])
      for n in (100, 50, 25) for p in (16,) for t in (0.1, 0.01)],
    *[("ddim", n, "parataa", ["--order", str(k), "--memory", str(m)])
      for n in (100, 50, 25) for (k, m) in ((1, 1), (2, 2), (2, 3), (4, 3))],
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--paradiffuse", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="skip the DDPM-1000 runs")
    args = parser.parse_args()
    print("| scheduler | steps | sampler | settings | iterations | model evaluations | max abs / RMS vs sequential "
          "| wall time (sequential) |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for scheduler, steps, sampler, extra in RUNS:
            if args.quick and steps == 1000:
                continue
            stats = Path(folder) / "stats.json"
            subprocess.run([args.paradiffuse, "generate", "--class", "3", "--seed", str(args.seed),
                            "--scheduler", scheduler, "--steps", str(steps), "--sampler", sampler, *extra,
                            "--compare-sequential", "--stats", str(stats), "--quiet", "--overwrite",
                            "--output", str(Path(folder) / "image.png")], check=True)
            report = json.loads(stats.read_text())
            statistics, comparison = report["statistics"], report["comparison"]
            print(f"| {scheduler} | {steps} | {sampler} | {' '.join(extra)} | {statistics['parallel_iterations']} "
                  f"| {statistics['model_evaluations']} "
                  f"| {comparison['max_abs_difference']:.1e} / {comparison['rms_difference']:.1e} "
                  f"| {statistics['wall_seconds']:.1f} s ({comparison['sequential_wall_seconds']:.1f} s) |",
                  flush=True)


if __name__ == "__main__":
    main()
