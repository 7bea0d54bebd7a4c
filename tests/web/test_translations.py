"""The English catalog: complete, current, and actually used by the pages.

The UI is written in Chinese (every msgid is Chinese); English comes from
muling/locale/en/LC_MESSAGES/django.po. These tests fail when a string is added without an English
translation, when the catalog has fallen behind the code, or when a page's chrome (header, navigation,
headings, labels, buttons) still shows Chinese to an English reader.
"""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from muling.cases import services as case_services
from muling.cases.defaults import install_default_categories
from muling.cases.enums import Channel
from muling.cases.models import Category
from muling.people.models import Department, Person
from muling.places.models import Area

ROOT = Path(settings.BASE_DIR)
CATALOG = ROOT / "muling" / "locale" / "en" / "LC_MESSAGES" / "django.po"
HAN = re.compile(r"[\u4e00-\u9fff]")


# ---- the catalog ---------------------------------------------------------------------------------


def msgfmt_statistics(po: Path) -> str:
    """`msgfmt --check --statistics` of a catalog: e.g. "921 translated messages." (fails on errors)."""
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext (msgfmt) is needed to check the catalog: apt-get install gettext")
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip()


def translated_count(statistics: str) -> int:
    return int(re.match(r"(\d+) translated message", statistics).group(1))


def test_catalog_is_where_settings_look_for_it():
    assert Path(settings.LOCALE_PATHS[0]) == CATALOG.parents[2]
    assert CATALOG.is_file()


def test_catalog_is_complete():
    statistics = msgfmt_statistics(CATALOG)
    assert "untranslated" not in statistics, statistics
    assert "fuzzy" not in statistics, statistics
    assert translated_count(statistics) > 0
    assert "#, fuzzy" not in CATALOG.read_text(encoding="utf-8")


def test_catalog_is_current(tmp_path):
    """Run makemessages on a copy of the code: it must find nothing new (and nothing gone).

    Fix a failure with `make messages` or: manage.py makemessages -l en --no-obsolete (ignoring .venv,
    node_modules, staticfiles, var, test-artifacts), then translate what is new.
    """
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail(
            "GNU gettext (xgettext, msgmerge) is needed to check the catalog: apt-get install gettext"
        )
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT / "muling",
        copy / "muling",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "node_modules", "vendor"),
    )
    shutil.copy2(ROOT / "manage.py", copy / "manage.py")
    done = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v", "0"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    regenerated = copy / CATALOG.relative_to(ROOT)
    before = msgfmt_statistics(CATALOG)
    after = msgfmt_statistics(regenerated)
    assert after == before, (
        f"The code's translatable strings differ from the catalog: now {after!r}, committed {before!r}. "
        "Re-run makemessages and translate the new strings."
    )


# ---- the pages -----------------------------------------------------------------------------------

CHROME = {"header", "nav", "title", "h1", "h2", "h3", "label", "button", "th", "summary", "legend", "caption"}
CHROME_ATTRIBUTES = ("aria-label", "placeholder", "alt", "title", "data-empty")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class ChromeText(HTMLParser):
    """The text of a page's chrome. Skips what is Chinese on purpose: elements whose lang is not
    English (the language switch names 简体中文 in Chinese) and the 睦 glyph of the brand mark."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, is chrome, is skipped)
        self.parts: list[str] = []

    def _inside(self) -> tuple[bool, bool]:
        return any(c for _, c, _ in self.stack), any(s for _, _, s in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").lower()
        skipped = (
            tag in ("script", "style", "template")
            or "brand-mark" in (attrs.get("class") or "").split()
            or bool(lang and not lang.startswith("en") and tag != "html")
        )
        if not skipped and not self._inside()[1]:
            self.parts.extend(attrs[a] for a in CHROME_ATTRIBUTES if attrs.get(a))
        if tag not in VOID:
            self.stack.append((tag, tag in CHROME, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        chrome, skipped = self._inside()
        if chrome and not skipped and data.strip():
            self.parts.append(data.strip())


def chrome_text(html: str) -> str:
    parser = ChromeText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


@pytest.fixture
def compiled_catalog(settings, tmp_path):
    """The pages read the catalog as it is now: compiled afresh (the .mo is not committed, and one
    compiled earlier may be stale), and Django's translation cache reset by the settings change."""
    locale = tmp_path / "locale"
    mo = locale / "en" / "LC_MESSAGES" / "django.mo"
    mo.parent.mkdir(parents=True)
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext (msgfmt) is needed to compile the catalog: apt-get install gettext")
    subprocess.run(["msgfmt", "--check", "-o", str(mo), str(CATALOG)], check=True)
    settings.LOCALE_PATHS = [str(locale)]
    return mo


@pytest.fixture
def pages(world, client, compiled_catalog):
    """(who, url) for the main screens of every role, with a case to open; and the names in the data."""
    install_default_categories(Category)  # transactional tests flush the data migration's rows
    resident = world.users["resident"]
    case = case_services.case_submit(
        category=Category.objects.get(code="sanitation"),
        text="楼道灯坏了，晚上看不见",
        channel=Channel.WEB,
        reporter=resident,
        household=resident.person.household,
    )
    grid, community, street = world.area("grid"), world.area("community"), world.area("street")
    building = world.area("building")
    household = world.households["home"]
    this_month = timezone.localdate().strftime("%Y-%m")
    pages = [
        (None, reverse("home")),
        (None, reverse("login")),
        (None, reverse("cases:public", args=[community.code])),
        (None, reverse("stats:public", args=[community.code])),
        (None, reverse("building_entry", args=[building.code])),
        ("resident", reverse("home")),
        ("resident", reverse("cases:new")),
        ("resident", reverse("cases:mine")),
        ("resident", reverse("cases:inbox")),
        ("resident", reverse("cases:detail", args=[case.number])),
        ("resident", reverse("privacy:mine")),
        ("building_head", reverse("home")),
        ("part_time_grid_worker", reverse("home")),
        ("grid_worker", reverse("home")),
        ("grid_worker", reverse("cases:queue")),
        ("grid_worker", reverse("cases:patrol")),
        ("grid_worker", reverse("cases:intake")),
        ("grid_worker", reverse("cases:detail", args=[case.number])),
        ("grid_worker", reverse("places:tree")),
        ("grid_worker", reverse("places:area", args=[grid.code])),
        ("grid_worker", reverse("places:household", args=[household.pk])),
        ("grid_worker", reverse("places:card", args=[building.code])),
        ("grid_worker", reverse("places:cards", args=[grid.code])),
        ("grid_worker", reverse("people:search") + "?q=王"),
        ("grid_worker", reverse("people:person", args=[resident.person.pk])),
        ("grid_worker", reverse("api_tokens:list")),
        ("grid_chief", reverse("home")),
        ("community_secretary", reverse("home")),
        ("community_secretary", reverse("cases:board")),
        ("community_secretary", reverse("cases:detail", args=[case.number])),
        ("community_secretary", reverse("hotline_import")),
        ("community_secretary", reverse("people:person", args=[resident.person.pk])),
        ("community_secretary", reverse("privacy:export_person", args=[resident.person.pk])),
        ("community_secretary", reverse("places:area", args=[community.code])),
        ("community_secretary", reverse("stats:dashboard")),
        ("community_secretary", reverse("stats:formulas")),
        ("community_secretary", reverse("stats:hot")),
        ("community_secretary", reverse("stats:themes")),
        ("street_secretary", reverse("home")),
        ("street_secretary", reverse("stats:report", args=[street.code]) + f"?period={this_month}"),
        ("county_secretary", reverse("home")),
        ("department_staff", reverse("home")),
        ("department_staff", reverse("cases:department")),
        ("property_staff", reverse("home")),
        ("professional_grid_worker", reverse("home")),
        ("nobody", reverse("home")),
        ("admin", reverse("home")),
    ]
    names = [
        *Area.objects.values_list("name", flat=True),
        *Person.objects.values_list("name", flat=True),
        *Department.objects.values_list("name", flat=True),
        # Categories are data (editable in admin), not part of the catalog.
        *Category.objects.values_list("name", flat=True),
    ]
    return pages, sorted(set(names), key=len, reverse=True)


def render(world, client, who, url, language):
    client.logout()
    if who:
        client.force_login(world.users[who])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, f"{who or 'anonymous'} {url}: {response.status_code}"
    return response.content.decode()


def without(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, "")
    return text


def test_pages_show_no_chinese_chrome_in_english(world, client, pages):
    pages, names = pages
    leftovers = []
    for who, url in pages:
        html = render(world, client, who, url, "en")
        assert '<html lang="en">' in html, url
        chinese = [line for line in without(chrome_text(html), names).splitlines() if HAN.search(line)]
        if chinese:
            leftovers.append(f"{who or 'anonymous'} {url}: {chinese}")
    assert not leftovers, "Chinese left in the English page chrome:\n" + "\n".join(leftovers)


def test_the_same_pages_are_chinese_by_default(world, client, pages):
    pages, names = pages
    for who, url in pages:
        html = render(world, client, who, url, "zh-hans")
        assert '<html lang="zh-hans">' in html, url
        assert HAN.search(without(chrome_text(html), names)), f"{who or 'anonymous'} {url}"


def test_english_pages_use_the_glossary(world, client, pages):
    """Spot checks that the English is the catalog's, in the glossary's words."""
    board = chrome_text(render(world, client, "community_secretary", reverse("cases:board"), "en"))
    assert "Supervision" in board
    nav = chrome_text(render(world, client, "resident", reverse("cases:mine"), "en"))
    assert "Report a problem" in nav and "My cases" in nav
