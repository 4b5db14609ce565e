"""Times diffusers' StableDiffusionPipeline on a folder: seconds per denoising step, VAE decode, peak memory.

    ../refenv/bin/python Tools/bench/time_sd_pytorch.py --model /tmp/sd15-random --steps 3 --size 512
"""
import argparse
import json
import resource
import time

import torch
from diffusers import DDIMScheduler, StableDiffusionPipeline


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pipeline = StableDiffusionPipeline.from_pretrained(args.model)
    pipeline.scheduler = DDIMScheduler.from_config(pipeline.scheduler.config)
    step_times = []
    last = [time.perf_counter()]

    def on_step(pipe, index, timestep, kwargs):
        now = time.perf_counter()
        step_times.append(now - last[0])
        last[0] = now
        return kwargs

    with torch.no_grad():
        start = time.perf_counter()
        last[0] = start
        latents = pipeline("a photo of a cat", num_inference_steps=args.steps, height=args.size, width=args.size,
                           generator=torch.Generator().manual_seed(0), output_type="latent",
                           callback_on_step_end=on_step).images
        decode_start = time.perf_counter()
        pipeline.vae.decode(latents / pipeline.vae.config.scaling_factor)
        decode = time.perf_counter() - decode_start
    print(json.dumps({"step_seconds": step_times, "median_step_seconds": sorted(step_times)[len(step_times) // 2],
                      "vae_decode_seconds": decode,
                      "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}, indent=2))


if __name__ == "__main__":
    main()
