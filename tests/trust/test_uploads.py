"""Uploads through the report form: stored under MEDIA_ROOT with a generated name whatever the client
called the file, checked by content (a text file named .jpg, an SVG, an oversized file are refused at
the field and nothing is created), and re-encoded so bytes appended to an image are dropped."""

import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from muling.cases import photos
from muling.cases.models import Case, CasePhoto


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def submit(client_as, world, categories, upload):
    client = client_as(world.users["resident"])
    return client.post(
        reverse("cases:new"),
        {
            "category": categories["sanitation"].pk,
            "text": "楼道灯坏了",
            "place": "home",
            "hide_name": "on",
            "source": "web",
            "key": uuid.uuid4().hex,
            "photos": [upload],
        },
    )


def test_a_traversing_file_name_is_stored_under_media_root_with_a_generated_name(
    world, categories, client_as, media
):
    upload = SimpleUploadedFile(
        "../../etc/passwd.jpg", png_bytes() + b"<script>alert(1)</script>", "image/jpeg"
    )
    response = submit(client_as, world, categories, upload)
    assert response.status_code == 302
    photo = CasePhoto.objects.get()
    name = photo.image.name
    assert ".." not in name and "passwd" not in name and "etc" not in Path(name).parts
    stored = Path(photo.image.path).resolve()
    assert stored.is_relative_to(media.resolve()) and stored.is_file()
    assert Path(name).stem != "passwd" and len(Path(name).stem) >= 32  # a uuid
    data = stored.read_bytes()
    assert data.startswith(b"\xff\xd8") and b"<script>" not in data  # re-encoded JPEG, tail dropped
    assert not (media.parent / "etc").exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("notes.jpg", b"this is plain text, not a photo", "image/jpeg"),
        SimpleUploadedFile(
            "x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "image/svg+xml"
        ),
        SimpleUploadedFile("../../page.html", b"<html><script>alert(1)</script></html>", "text/html"),
    ],
    ids=["text-as-jpg", "svg", "html"],
)
def test_a_non_image_is_refused_at_the_field_and_nothing_is_created(
    world, categories, client_as, media, upload
):
    response = submit(client_as, world, categories, upload)
    assert response.status_code == 400
    assert "图片" in response.content.decode() or "照片" in response.content.decode()
    assert not Case.objects.exists() and not CasePhoto.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_an_oversized_upload_is_refused(world, categories, client_as, media, monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 1024)
    response = submit(client_as, world, categories, SimpleUploadedFile("big.png", png_bytes() + b"\0" * 2048))
    assert response.status_code == 400 and "8 MB" in response.content.decode()
    assert not Case.objects.exists()
