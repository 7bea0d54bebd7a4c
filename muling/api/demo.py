"""The demo's Open311 client key. It is a fixed, published secret so `make run` can print it; it exists
only in a database built by `load_demo` — production keys are random (services.client_key_create)."""

from .models import ClientApiKey
from .services import KEY_PREFIX, PREFIX_SHOWN, digest

DEMO_OPEN311_KEY = f"{KEY_PREFIX}demo-open311-muling2026"


def ensure_demo_client_key() -> str:
    ClientApiKey.objects.get_or_create(
        key_hash=digest(DEMO_OPEN311_KEY),
        defaults={
            "name": "演示 Open311 客户端",
            "prefix": DEMO_OPEN311_KEY[:PREFIX_SHOWN],
            "channel": ClientApiKey.Channel.OPEN311,
            "rate_limit_per_minute": 600,
        },
    )
    return DEMO_OPEN311_KEY


def api_lines(base_url: str) -> list[str]:
    return [
        f"API docs (OpenAPI 3):  {base_url}/api/v1/docs   ({base_url}/api/v1/openapi.json)",
        f"Open311 GeoReport v2:  {base_url}/open311/v2/discovery.json",
        f"Open311 api_key:       {DEMO_OPEN311_KEY}",
        f"  e.g. curl {base_url}/open311/v2/services.json",
    ]
