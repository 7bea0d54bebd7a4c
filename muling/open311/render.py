"""GeoReport v2 output in JSON and XML.

JSON is the data as-is. XML follows the spec's examples: a UTF-8 declaration, no namespace, a root
element per response and one child element per list item; booleans as "true"/"false", None as an
empty element.
"""

import json
import xml.etree.ElementTree as ET
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone

# The element name of one item of each list, by the list's element name.
ITEM_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
}

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def when(value: datetime | None) -> str | None:
    """ISO 8601 with the local offset (+08:00), as the spec requires a time zone."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = _text(value)


def to_xml(root_tag: str, data) -> bytes:
    root = ET.Element(root_tag)
    _fill(root, data)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def respond(fmt: str, root_tag: str, data, *, status: int = 200) -> HttpResponse:
    """`data` is a list (rendered under `root_tag` in XML) or a dict (its keys become children)."""
    if fmt == "xml":
        content = to_xml(root_tag, data)
    else:
        content = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": str(description)}], status=status)
