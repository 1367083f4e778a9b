"""The README's run command, exercised for real: a fresh var dir, the real scripts/run, real HTTP."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import threading
import urllib.parse
import urllib.request
from base64 import b32decode

import pytest
from django_otp.oath import totp

from ioffice.config import BASE_DIR

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _printed_password(text: str) -> str:
    match = re.search(r"Mật khẩu chung: (\S+)", text)
    assert match, text
    return match.group(1)


def _printed_totp_secret(text: str) -> str:
    match = re.search(r"Khóa bí mật dùng chung \([^)]*\): (\S+)", text)
    assert match, text
    return match.group(1)


def _sign_in_and_see_home(
    url: str, *, username: str, password: str, totp_secret: str = "", role: str = "Văn thư"
) -> None:
    """What a person does with the printed account: open the sign-in page, sign in (typing the code of the
    printed demo authenticator when asked), land at home."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url + "dang-nhap/", timeout=10) as response:
        page = response.read().decode()
    assert "Đăng nhập" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(url + "dang-nhap/", data=form.encode(), headers={"Referer": url + "dang-nhap/"})
    with opener.open(request, timeout=10) as response:
        home = response.read().decode()
        landed = response.url
    if totp_secret:
        assert "/xac-thuc-hai-lop/" in landed, "a clerk is asked for the second factor"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home).group(1)
        code = f"{totp(b32decode(totp_secret)):06d}"
        form = urllib.parse.urlencode({"token": code, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(landed, data=form.encode(), headers={"Referer": landed})
        with opener.open(request, timeout=10) as response:
            home = response.read().decode()
            landed = response.url
    assert landed == url, "a good sign-in lands on the home page"
    assert role in home and "Sở Giáo dục và Đào tạo" in home


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
    started = threading.Event()

    def read_output() -> None:
        # A thread, because select() on a buffered pipe misses lines already read into the buffer.
        for line in proc.stdout:
            output.append(line)
            if "Ctrl-C" in line:
                started.set()
        started.set()

    threading.Thread(target=read_output, daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    try:
        started.wait(timeout=300)
        text = "".join(output)
        assert f"is running at: {url}" in text, text
        assert "so.vanthu" in text and "ht.thpt01" in text, text

        with urllib.request.urlopen(url + "healthz", timeout=10) as response:
            assert response.status == 200
        with urllib.request.urlopen(url + "readyz", timeout=10) as response:
            assert response.status == 200
        password = _printed_password(text)
        _sign_in_and_see_home(url, username="so.vanthu", password=password, totp_secret=_printed_totp_secret(text))
        # Several times: each sign-in may land on another gunicorn worker, which must accept the session. (An
        # officer, who is not asked for a code: a code cannot be used twice.)
        for _ in range(8):
            _sign_in_and_see_home(url, username="so.cntt.chuyenvien", password=password, role="Chuyên viên")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (tmp_path / "var" / "ioffice.sqlite3").exists()
    assert len((tmp_path / "var" / "secret_key").read_text().strip()) >= 50
