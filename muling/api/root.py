"""The ninja API root: mounts each app's router and answers every error as
{"code", "message", "fields"} with the right 4xx — malformed input never reaches a 500."""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from muling.errors import DomainError

from .auth import api_auth
from .ratelimit import RateLimited

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Muling API",
    version="1",
    description="睦邻 REST API v1. Authenticate with the browser session (send the CSRF token on "
    "POST) or with a personal token: `Authorization: Bearer mlt_…`. POSTs accept an "
    "`Idempotency-Key` header.",
    urls_namespace="api-v1",
    auth=api_auth,
)


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}}


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


# pydantic's error types, said the way a form would say them.
_FIELD_MESSAGES = {
    "missing": "此项必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "too_long": "项目过多",
    "json_invalid": "不是有效的 JSON",
}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
        # A body schema is read from one argument (named e.g. "body" or "payload"): drop that name.
        if loc[0] == "body" and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or "body"


def _field_message(error: dict) -> str:
    known = _FIELD_MESSAGES.get(error.get("type", ""))
    return _(known) if known else str(error.get("msg", ""))


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), _field_message(error))
    return api.create_response(
        request, error_body("invalid_input", _("提交的内容有误，请检查后重试"), fields), status=400
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request, error_body("not_authenticated", _("请先登录或提供有效的访问令牌")), status=401
    )


@api.exception_handler(AuthorizationError)
def authorization_error(request, exc):
    return api.create_response(request, error_body("forbidden", _("您无权进行此操作")), status=403)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    status = exc.status_code
    if status == 400:
        body = error_body("malformed_request", _("请求内容无法解析，请发送有效的 JSON"))
    elif status == 403 and "CSRF" in str(exc):
        body = error_body("csrf_failed", _("CSRF 校验失败，请刷新页面后重试"))
    elif status == 429:
        body = error_body("rate_limited", _("请求过于频繁，请稍后再试"))
    else:
        body = error_body(f"http_{status}", str(exc))
    return api.create_response(request, body, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, error_body("not_found", _("请求的对象不存在")), status=404)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return api.create_response(request, error_body("request_too_large", _("请求内容过大")), status=413)


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    return api.create_response(request, error_body("bad_request", _("请求无效")), status=400)


@api.exception_handler(DataError)
def data_error(request, exc):
    # A value the database cannot hold (an id past bigint, say) is bad input, not a server fault.
    logger.info("API input rejected by the database: %s", exc)
    return api.create_response(
        request, error_body("invalid_input", _("提交的内容有误，请检查后重试")), status=400
    )


def _mount() -> None:
    from muling.cases.api import router as cases_router
    from muling.cases.api_photos import router as case_photos_router
    from muling.privacy.api import router as privacy_router
    from muling.stats.api import router as stats_router

    from .routers import router as platform_router

    api.add_router("", cases_router)
    api.add_router("", case_photos_router)
    api.add_router("", platform_router)
    api.add_router("", privacy_router)
    api.add_router("/stats", stats_router)


_mount()
