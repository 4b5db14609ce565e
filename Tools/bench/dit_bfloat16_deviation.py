"""PyTorch's own bfloat16 deviation on the DiT fixtures, for comparison with Paradiffuse's `--precision bf16`.

    python Tools/bench/dit_bfloat16_deviation.py

Loads each fixture transformer (Tests/Fixtures/dit), casts it with `model.to(torch.bfloat16)`, runs the fixture's
inputs in bfloat16 and prints the deviation from the stored float32 output as the Swift tests measure it
(`BFloat16Deviation`): max |Δ| / max(1, max |ref|) and RMS Δ / RMS ref.
"""
from pathlib import Path

import torch
from safetensors.torch import load_file

from diffusers import DiTTransformer2DModel

FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "dit"
CASES = [("pipeline/transformer", ""), ("pipeline/transformer", "large_"), ("legacy", "")]


def main():
    for folder, prefix in CASES:
        model = DiTTransformer2DModel.from_pretrained(FIXTURES / folder).eval().to(torch.bfloat16)
        reference = load_file(str(FIXTURES / folder / "reference.safetensors"))
        with torch.no_grad():
            output = model(reference[prefix + "sample"].to(torch.bfloat16),
                           timestep=reference[prefix + "timestep"].long(),
                           class_labels=reference[prefix + "class_labels"].long()).sample.float()
        expected = reference[prefix + "output"]
        difference = output - expected
        maximum = difference.abs().max().item() / max(1.0, expected.abs().max().item())
        rms = (difference.square().sum() / expected.square().sum()).sqrt().item()
        print(f"{folder} {prefix or 'sample'}: max {maximum:.2e}, RMS {rms:.2e} (relative)")


if __name__ == "__main__":
    main()
