"""Plain HTTP helpers of the harness: log in through a login form, call one endpoint to check it."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener(jar: http.cookiejar.CookieJar, *, follow: bool = True):
    handlers = [urllib.request.HTTPCookieProcessor(jar)]
    if not follow:
        handlers.append(NoRedirect())
    return urllib.request.build_opener(*handlers)


def csrf_form(url: str) -> tuple[str, str]:
    """GET a page with a form; return the Cookie header value that carries the CSRF cookie and the
    form's csrfmiddlewaretoken. Django accepts that pair on every later POST (the cookie's secret does
    not rotate until a login), so a load generator can send them with each request: the CSRF check
    still runs in full on every request."""
    jar = http.cookiejar.CookieJar()
    with _opener(jar).open(url, timeout=30) as r:
        html = r.read().decode("utf-8", "replace")
    match = CSRF_INPUT.search(html)
    if match is None:
        raise RuntimeError(f"no CSRF token in the form at {url}")
    return "; ".join(f"{c.name}={c.value}" for c in jar), match.group(1)


def login(base_url: str, path: str, username: str, password: str) -> str:
    """Log in through the site's own login form; return the Cookie header value of the session."""
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar, follow=False)
    with _opener(jar).open(base_url + path, timeout=30) as r:
        html = r.read().decode("utf-8", "replace")
    match = CSRF_INPUT.search(html)
    if match is None:
        raise RuntimeError(f"no CSRF token on {base_url + path}")
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)}
    ).encode()
    request = urllib.request.Request(base_url + path, data=data, headers={"Referer": base_url + path})
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        if exc.code not in (301, 302, 303):
            raise RuntimeError(f"login of {username} at {base_url + path} answered {exc.code}") from exc
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"login of {username} at {base_url + path} set no session (wrong password?)")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def call(url: str, *, headers: dict | None = None, data: bytes | None = None) -> tuple[int, str]:
    """One request without following redirects: (status, first 300 characters of the body)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with _opener(http.cookiejar.CookieJar(), follow=False).open(request, timeout=120) as r:
            return r.status, r.read(300).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(300).decode("utf-8", "replace")
