"""The README's run command, exercised for real: a fresh var dir, the real scripts/run, real HTTP."""

import os
import select
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from ioffice.config import BASE_DIR

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(
    bool(os.environ.get("IOFFICE_DATABASE_URL")),
    reason="the run command is the embedded (SQLite) default; it is exercised in the SQLite pass",
)
def test_run_command_serves_the_demo(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IOFFICE_", "DJANGO_"))}
    env |= {"IOFFICE_VAR_DIR": str(tmp_path / "var"), "IOFFICE_PORT": str(port)}
    proc = subprocess.Popen(
        [str(BASE_DIR / "scripts" / "run")],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if ready:
                line = proc.stdout.readline()
                if not line and proc.poll() is not None:
                    break
                output.append(line)
                if "Ctrl-C" in line:
                    break
        text = "".join(output)
        assert f"is running at: {url}" in text, text
        assert "so.vanthu" in text and "ht.thpt01" in text, text

        with urllib.request.urlopen(url + "healthz", timeout=10) as response:
            assert response.status == 200
        with urllib.request.urlopen(url + "readyz", timeout=10) as response:
            assert response.status == 200
        with urllib.request.urlopen(url + "dang-nhap/", timeout=10) as response:
            assert "Đăng nhập" in response.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (tmp_path / "var" / "ioffice.sqlite3").exists()
