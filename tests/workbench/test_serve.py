"""``jifen serve`` as users run it: refused on an open address without a token; a real server answering on loopback."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx

from ..browser import served
from ..conftest import POLICIES


def test_an_address_other_than_loopback_needs_a_token():
    done = subprocess.run(
        [sys.executable, "-m", "jifen_dsl", "--lang", "en", "serve", str(POLICIES), "--host", "0.0.0.0", "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "refusing to listen on 0.0.0.0 without an access token" in done.stderr and "--token" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_an_empty_token_is_refused():
    done = subprocess.run(
        [sys.executable, "-m", "jifen_dsl", "--lang", "en", "serve", str(POLICIES), "--host", "0.0.0.0", "--token", " "],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1 and "--token is empty" in done.stderr


def test_a_real_server_answers_pages_and_checks():
    with served(POLICIES) as address:
        page = httpx.get(address, timeout=10)
        assert page.status_code == 200
        assert "积分政策工作台" in page.text
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text).group(1)
        text = (POLICIES / "haizhu" / "2023.jifen").read_text(encoding="utf-8")
        answer = httpx.post(address + "api/check", json={"path": "haizhu/2023.jifen", "text": text + "\n坏\n"}, headers={"X-CSRF-Token": csrf}, timeout=30)
        assert answer.status_code == 200
        [d] = answer.json()["diagnostics"]
        assert d["code"] == "P0005" and d["message"] == "此处不应出现中文 '坏'"
        refused = httpx.post(address + "api/check", json={"path": "haizhu/2023.jifen", "text": text}, timeout=30)
        assert refused.status_code == 403
