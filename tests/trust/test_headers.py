"""Headers and production settings: a Content-Security-Policy without inline script or style on every
page, templates that need none, map tiles allowed only from the configured host, and
`manage.py check --deploy` clean in production mode."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def csp_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/", "/cases/new/", "/cases/mine/", "/places/", "/stats/", "/admin/"])
def test_every_page_carries_a_self_only_policy(client_as, world, path):
    response = client_as(world.users["admin"]).get(path)
    assert response.status_code == 200, path
    policy = csp_of(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_anonymous_pages_and_errors_carry_it_too(client, db):
    assert "script-src 'self'" in client.get("/login/")["Content-Security-Policy"]
    assert "Content-Security-Policy" in client.get("/cases/20990101999999/")  # a redirect to log in
    assert "Content-Security-Policy" in client.get("/no-such-page/")


TEMPLATES = sorted(ROOT.glob("muling/*/templates/**/*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_handler_or_style(template):
    html = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        # External files, or data blocks (json_script) that a browser never runs.
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html
    assert "javascript:" not in html.lower()


def test_htmx_is_told_not_to_inject_its_indicator_style(client, db):
    html = client.get("/login/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    assert json.loads(config)["includeIndicatorStyles"] is False


def _settings_in_subprocess(env: dict, expression: str) -> str:
    code = f"import django, os; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "muling.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_map_tiles_are_allowed_from_the_configured_host_only():
    env = {"MAP_TILE_URL": "https://{s}.tiles.example.cn/{z}/{x}/{y}.png"}
    img_src = _settings_in_subprocess(
        env, "' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    assert img_src.split() == ["'self'", "data:", "blob:", "https://*.tiles.example.cn"]
    without = _settings_in_subprocess(
        {"MAP_TILE_URL": ""}, "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']"
    )
    assert "tiles" not in without


def production_env(tmp_path, **extra) -> dict:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE may still be set in this process: never in production.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "DEBUG": "0",
        "SECRET_KEY": "".join(
            secrets.choice("abcdefghijkmnopqrstuvwxyz0123456789!@#%^*-_=+") for _ in range(50)
        ),
        "ALLOWED_HOSTS": "muling.example.cn",
        "SECURE_COOKIES": "1",
        "MULING_VAR_DIR": str(tmp_path),
        **extra,
    }


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_behind_a_proxy_django_trusts_its_forwarded_proto(tmp_path):
    env = production_env(tmp_path, BEHIND_PROXY="1")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "muling.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[-2] == "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 True True"


def test_the_demo_on_localhost_stays_plain_http():
    # The test settings are the `make run` defaults: no HTTPS redirect, no HSTS, no proxy header.
    assert settings.SECURE_SSL_REDIRECT is False and settings.SECURE_HSTS_SECONDS == 0
    assert not hasattr(settings, "SECURE_PROXY_SSL_HEADER") or settings.SECURE_PROXY_SSL_HEADER is None
