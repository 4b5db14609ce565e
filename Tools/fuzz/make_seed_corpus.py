#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora, Fuzz/corpus/<target>/, from the test fixtures (standard library only).

Each seed is named by the SHA-1 of its bytes, as libFuzzer names the inputs it adds, so running this again only
adds files. Seeds are kept small (libFuzzer mutates small inputs faster): large fixtures are left out, and the
tokenizer seeds use a vocabulary cut down from CLIP's to its byte alphabet and first merges.
"""
import hashlib
import json
import pathlib
import struct
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"
CORPUS = ROOT / "Fuzz" / "corpus"
SIZE_LIMIT = 32 << 10


def save(target, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def fixtures(pattern):
    return sorted(path for path in FIXTURES.rglob(pattern) if path.stat().st_size <= SIZE_LIMIT)


def json_seeds():
    for path in fixtures("*.json"):
        save("json", path.read_bytes())
    for text in ['{"a": NaN, "b": -Infinity, "c": [1e308, -0.0, 1E-400]}', '"\\ud83d\\ude00 \\u0000"', "[[[[]]]]",
                 '{"": {"": null}}', "  true ", '{"x": 12345678901234567890}']:
        save("json", text.encode())


def config_seeds():
    for path in fixtures("config.json"):
        save("model-config", path.read_bytes())
    for path in fixtures("scheduler_config.json"):
        save("scheduler-config", path.read_bytes())


def safetensors_seeds():
    for path in fixtures("*.safetensors"):
        if path.stat().st_size <= 16 << 10:
            save("safetensors", path.read_bytes())


def small_tokenizer():
    """CLIP's byte alphabet, its first 300 merges whose parts and result are known, and its special tokens."""
    source = FIXTURES / "clip-tokenizer"
    vocabulary = json.loads((source / "vocab.json").read_text())
    by_id = sorted(vocabulary, key=vocabulary.get)
    kept = by_id[:512]
    merges = []
    for line in (source / "merges.txt").read_text().splitlines()[1:]:
        left, right = line.split(" ")
        if left in kept and right in kept:
            merges.append(line)
            kept.append(left + right)
        if len(merges) == 300:
            break
    kept += ["<|startoftext|>", "<|endoftext|>"]
    small = json.dumps({token: index for index, token in enumerate(kept)}, ensure_ascii=False).encode()
    return small, ("#version: 0.2\n" + "\n".join(merges) + "\n").encode()


def tokenizer_seeds():
    vocabulary, merges = small_tokenizer()
    source = FIXTURES / "clip-tokenizer"
    for configuration in [source, source / "sd2", source / "sdxl-2", source / "textual-inversion"]:
        files = [vocabulary, merges]
        for name in ["tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"]:
            path = configuration / name
            files.append(path.read_bytes() if path.exists() else b"")
        save("tokenizer-files", b"\0\0".join(files))
    save("tokenizer-files", vocabulary + b"\0\0" + merges)


def prompt_seeds():
    prompts = json.loads((FIXTURES / "clip-tokenizer" / "prompts.json").read_text())["prompts"]
    for entry in prompts[:40]:
        text = entry["text"] if isinstance(entry, dict) else entry
        save("prompt", text.encode())
    save("prompt", "a photo of <|startoftext|><|ENDOFTEXT|> Ǆ 𝒜 ﬁ\u0301 \t\r\n  done".encode())


def png(width, height, color_type, bit_depth, rows, chunks=()):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    raw = b"".join(b"\0" + row for row in rows)
    body = [chunk(b"IHDR", header)] + [chunk(kind, data) for kind, data in chunks] + [chunk(b"IDAT", zlib.compress(raw))]
    return b"\x89PNG\r\n\x1a\n" + b"".join(body) + chunk(b"IEND", b"")


def jpeg_seeds():
    """The JPEG fixtures: baseline, progressive, gray, 4:4:4, 4:2:2 with restart markers, CMYK."""
    for path in fixtures("*.jpg"):
        save("jpeg", path.read_bytes())


def png_seeds():
    for path in fixtures("*.png"):
        save("png", path.read_bytes())
    text = [(b"tEXt", b"parameters\0a prompt\nSteps: 20"), (b"zTXt", b"Comment\0\0" + zlib.compress(b"compressed")),
            (b"iTXt", b"Title\0\0\0en\0Titel\0caf\xc3\xa9")]
    save("png", png(3, 2, 0, 8, [bytes([0, 128, 255])] * 2, text))
    save("png", png(2, 2, 2, 8, [bytes(range(6))] * 2))
    save("png", png(2, 1, 6, 8, [bytes(range(8))]))
    save("png", png(2, 2, 0, 16, [bytes(range(4))] * 2))
    save("png", png(4, 1, 3, 2, [bytes([0b00011011])], [(b"PLTE", bytes(range(12))), (b"tRNS", b"\x80")]))
    save("png", png(1, 1, 4, 8, [b"\x40\xff"]))


if __name__ == "__main__":
    for make in [json_seeds, config_seeds, safetensors_seeds, tokenizer_seeds, prompt_seeds, png_seeds, jpeg_seeds]:
        make()
    for folder in sorted(CORPUS.iterdir()):
        files = list(folder.iterdir())
        print(f"{folder.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
