"""A served folder for each test: a copy of the bundled policies, and a client for the workbench over it."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # newer starlette asks for httpx's successor, httpx2; httpx serves the same
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from jifen_dsl.workbench.app import create_app

from ..conftest import POLICIES, ROOT

CSRF = "test-csrf-token"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The bundled policies, copied where a test may change them."""
    served = tmp_path / "policies"
    shutil.copytree(POLICIES, served)
    return served


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """A folder holding the bundled policies and the Haizhu example applicants, as the repository does."""
    shutil.copytree(POLICIES, tmp_path / "policies")
    shutil.copytree(ROOT / "examples" / "haizhu-2022", tmp_path / "examples" / "haizhu-2022")
    return tmp_path


def client_for(folder: Path, **options) -> TestClient:
    """A client speaking to the workbench over ``folder`` at a loopback address, as a browser on this machine would."""
    options.setdefault("csrf", CSRF)
    return TestClient(create_app(folder, **options), base_url="http://127.0.0.1:8765", raise_server_exceptions=False)


@pytest.fixture
def client(folder: Path) -> TestClient:
    return client_for(folder)


def post(client: TestClient, route: str, body, **kwargs):
    """A POST with this server's CSRF token, as the page sends it."""
    headers = {"X-CSRF-Token": CSRF, **kwargs.pop("headers", {})}
    return client.post(route, json=body, headers=headers, **kwargs)


def error_of(response, status: int) -> dict:
    """The JSON error of a refused request, with its status checked."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"message", "code"} and error["message"]
    assert "Traceback" not in response.text
    return error
