"""What the workbench refuses, always as JSON with a 4xx status: bad bodies, paths out of the folder, missing tokens, large bodies."""

from __future__ import annotations

import json
import os

import pytest

from jifen_dsl.workbench.safety import JSON_LIMIT

from .conftest import CSRF, client_for, error_of, post

GOOD = {"path": "baiyun/2023.jifen", "text": ""}


# ------------------------------------------------------------------ bodies


@pytest.mark.parametrize("route", ["/api/check", "/api/format", "/api/hover", "/api/save", "/api/diff"])
def test_a_body_that_is_not_json(client, route):
    answer = client.post(route, content=b"{not json", headers={"X-CSRF-Token": CSRF, "Content-Type": "application/json"})
    assert error_of(answer, 400)["code"] == "bad_json"
    answer = client.post(route, content="[1, 2]", headers={"X-CSRF-Token": CSRF, "Content-Type": "application/json"})
    assert error_of(answer, 400)["code"] == "bad_json"
    answer = client.post(route, content=b"\xff\xfe", headers={"X-CSRF-Token": CSRF, "Content-Type": "application/json"})
    assert error_of(answer, 400)["code"] == "bad_json"
    answer = client.post(route, content="path=x", headers={"X-CSRF-Token": CSRF, "Content-Type": "application/x-www-form-urlencoded"})
    assert error_of(answer, 415)["code"] == "not_json"


@pytest.mark.parametrize("route, body, field", [
    ("/api/check", {"text": ""}, "path"),
    ("/api/check", {"path": "baiyun/2023.jifen"}, "text"),
    ("/api/format", {"path": "baiyun/2023.jifen"}, "text"),
    ("/api/hover", {"path": "baiyun/2023.jifen", "text": "", "line": 1}, "column"),
    ("/api/save", {"text": "x"}, "path"),
    ("/api/diff", {"a": "baiyun/2022.jifen"}, "b"),
    ("/api/diff", {"path": "baiyun/2023.jifen"}, "text"),
])
def test_a_missing_field(client, route, body, field):
    error = error_of(post(client, route, body), 422)
    assert error["code"] == "missing_field" and field in error["message"]


def test_a_field_of_the_wrong_type(client):
    assert error_of(post(client, "/api/check", {"path": "baiyun/2023.jifen", "text": 5}), 422)["code"] == "bad_field"
    assert error_of(post(client, "/api/check", {"path": ["x"], "text": ""}), 400)["code"] == "bad_path"
    assert error_of(post(client, "/api/format", {**GOOD, "to": "fr"}), 422)["code"] == "bad_field"
    assert error_of(post(client, "/api/check?lang=fr", GOOD), 400)["code"] == "bad_lang"


def test_a_missing_query_parameter(client):
    assert error_of(client.get("/api/policy"), 422)["code"] == "missing_field"


def test_errors_speak_the_language_of_the_page(client):
    assert error_of(post(client, "/api/check", {"text": ""}), 422)["message"] == "请求缺少字段 path"
    assert error_of(post(client, "/api/check?lang=en", {"text": ""}), 422)["message"] == "the request lacks the field path"


def test_an_unknown_route_or_method(client):
    assert error_of(client.get("/api/nothing"), 404)["code"] == "not_found"
    assert error_of(client.get("/api/check"), 405)["code"] == "method_not_allowed"


def test_a_bug_is_a_500_with_a_generic_message(client, monkeypatch, caplog):
    from jifen_dsl.workbench import api

    def broken(*args, **kwargs):
        raise KeyError("secret detail")

    monkeypatch.setattr(api, "check", broken)
    error = error_of(post(client, "/api/check", GOOD), 500)
    assert error["code"] == "internal" and "secret detail" not in error["message"]
    assert "secret detail" in caplog.text  # the log keeps it


# ------------------------------------------------------------------ paths


@pytest.mark.parametrize("path, status, code", [
    ("../policies/baiyun/2023.jifen", 403, "path_outside"),
    ("baiyun/../../x.jifen", 403, "path_outside"),
    ("baiyun\\..\\..\\x.jifen", 403, "path_outside"),
    ("/etc/passwd.jifen", 403, "path_outside"),
    ("C:/x.jifen", 403, "path_outside"),
    ("baiyun/2022.samples.csv", 400, "not_a_policy"),
    ("haizhu/2022.samples.csv", 400, "not_a_policy"),
    ("", 400, "bad_path"),
    ("a\0b.jifen", 400, "bad_path"),
])
def test_paths_out_of_the_folder_or_not_policies_are_refused(client, path, status, code):
    assert error_of(client.get("/api/policy", params={"path": path}), status)["code"] == code
    assert error_of(post(client, "/api/check", {"path": path, "text": ""}), status)["code"] == code
    assert error_of(post(client, "/api/save", {"path": path, "text": ""}), status)["code"] == code
    assert error_of(post(client, "/api/diff", {"a": path, "b": "baiyun/2023.jifen"}), status)["code"] == code


def test_the_absolute_path_of_a_file_inside_the_folder_is_refused_too(client, folder):
    assert error_of(client.get("/api/policy", params={"path": str(folder / "baiyun" / "2023.jifen")}), 403)["code"] == "path_outside"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_symbolic_link_leading_out_of_the_folder_is_refused(client, folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.jifen"
    secret.write_text("# not to be read\n", encoding="utf-8")
    (folder / "haizhu" / "link.jifen").symlink_to(secret)
    (folder / "out").symlink_to(outside, target_is_directory=True)
    for path in ("haizhu/link.jifen", "out/secret.jifen"):
        assert error_of(client.get("/api/policy", params={"path": path}), 403)["code"] == "path_outside"
        assert error_of(post(client, "/api/save", {"path": path, "text": "# overwritten\n"}), 403)["code"] == "path_outside"
    assert secret.read_text(encoding="utf-8") == "# not to be read\n"
    listed = [p["path"] for p in client.get("/api/policies").json()["policies"]]
    assert "haizhu/link.jifen" not in listed and "out/secret.jifen" not in listed
    # A link that stays inside is followed.
    (folder / "haizhu" / "same.jifen").symlink_to(folder / "haizhu" / "2023.jifen")
    assert client.get("/api/policy", params={"path": "haizhu/same.jifen"}).status_code == 200


def test_a_policy_text_cannot_import_from_outside_the_folder(client, folder, tmp_path):
    (tmp_path / "secret.jifen").write_text("field secret: text\n", encoding="utf-8")
    text = (folder / "baiyun" / "2023.jifen").read_text(encoding="utf-8") + '\nimport "../../secret.jifen"\n'
    answer = post(client, "/api/check?lang=en", {"path": "baiyun/2023.jifen", "text": text}).json()
    assert answer["errors"] >= 1
    assert any("outside" in d["message"] or "library" in d["message"] for d in answer["diagnostics"]), answer


# ------------------------------------------------------------------ tokens


def test_without_a_token_only_loopback_names_are_answered(folder):
    from starlette.testclient import TestClient

    from jifen_dsl.workbench.app import create_app

    app = create_app(folder)
    assert TestClient(app, base_url="http://localhost:8765").get("/").status_code == 200
    assert TestClient(app, base_url="http://[::1]:8765").get("/").status_code == 200
    assert error_of(TestClient(app, base_url="http://attacker.example").get("/api/policies"), 403)["code"] == "bad_host"


def test_with_a_token_every_request_carries_it(folder):
    client = client_for(folder, token="sesame")
    assert error_of(client.get("/"), 401)["code"] == "token_missing"
    assert error_of(client.get("/api/policies"), 401)["code"] == "token_missing"
    assert error_of(client.get("/api/policies", headers={"Authorization": "Bearer wrong"}), 401)["code"] == "token_invalid"
    assert error_of(client.get("/api/policies", params={"token": "wrong"}), 401)["code"] == "token_invalid"
    assert error_of(post(client, "/api/check", GOOD), 401)["code"] == "token_missing"
    assert client.get("/api/policies", headers={"Authorization": "Bearer sesame"}).status_code == 200
    assert client.get("/static/workbench.js").status_code == 401


def test_a_token_in_the_address_once_sets_a_cookie(folder):
    client = client_for(folder, token="sesame")
    first = client.get("/", params={"token": "sesame", "lang": "en"}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/?lang=en"
    assert "jifen_token=sesame" in first.headers["set-cookie"] and "HttpOnly" in first.headers["set-cookie"]
    assert client.get("/").status_code == 200  # the cookie, from now on
    assert post(client, "/api/check", GOOD).status_code == 200


def test_any_host_name_is_answered_with_a_token(folder):
    client = client_for(folder, token="sesame")
    client.base_url = "http://192.0.2.7:8765"
    assert client.get("/api/policies", headers={"Authorization": "Bearer sesame"}).status_code == 200


@pytest.mark.parametrize("route", ["/api/check", "/api/format", "/api/hover", "/api/save", "/api/diff"])
def test_a_state_changing_request_needs_the_csrf_token(client, folder, route):
    body = {"path": "baiyun/2023.jifen", "text": "# gone\n", "line": 1, "column": 1}
    before = (folder / "baiyun" / "2023.jifen").read_bytes()
    assert error_of(client.post(route, json=body), 403)["code"] == "csrf_missing"
    assert error_of(client.post(route, json=body, headers={"X-CSRF-Token": "forged"}), 403)["code"] == "csrf_invalid"
    assert error_of(client.put(route, json=body), 403)["code"] == "csrf_missing"
    assert (folder / "baiyun" / "2023.jifen").read_bytes() == before


def test_each_server_makes_its_own_csrf_token(folder):
    from starlette.testclient import TestClient

    from jifen_dsl.workbench.app import create_app

    tokens = set()
    for _ in range(2):
        page = TestClient(create_app(folder), base_url="http://127.0.0.1").get("/").text
        tokens.add(page.split('name="csrf-token" content="')[1].split('"')[0])
    assert len(tokens) == 2 and all(len(t) >= 32 for t in tokens)


# ------------------------------------------------------------------ sizes


def test_a_json_body_over_its_limit(client):
    big = json.dumps({"path": "baiyun/2023.jifen", "text": "#" * (JSON_LIMIT + 1)})
    error = error_of(client.post("/api/check", content=big, headers={"X-CSRF-Token": CSRF, "Content-Type": "application/json"}), 413)
    assert error["code"] == "too_large" and "10" in error["message"]


def test_a_body_over_its_limit_without_a_declared_length(client):
    def chunks():
        for _ in range(11):
            yield b"#" * (1024 * 1024)

    answer = client.post("/api/check", content=chunks(), headers={"X-CSRF-Token": CSRF, "Content-Type": "application/json"})
    assert error_of(answer, 413)["code"] == "too_large"


def test_a_50_mb_upload(folder):
    """Uploads have their own limit (60 MB by default): 50 MB passes it, and is over a smaller one."""
    boundary = "jifenboundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cohort.csv\"\r\nContent-Type: text/csv\r\n\r\n".encode()
        + b"x" * (50 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"X-CSRF-Token": CSRF, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    passed = client_for(folder).post("/api/upload", content=body, headers=headers)
    assert passed.status_code == 200, passed.text[:300]
    assert passed.json()["size"] == 50 * 1024 * 1024  # kept whole, to be read as the command line reads it
    refused = client_for(folder, upload_limit=40 * 1024 * 1024).post("/api/upload", content=body, headers=headers)
    error = error_of(refused, 413)
    assert error["code"] == "too_large" and "40" in error["message"]
    elsewhere = client_for(folder).post("/api/check", content=body, headers=headers)  # not an upload: the 10 MB of other bodies
    assert error_of(elsewhere, 413)["code"] == "too_large"
