"""Answers to a category's extra questions (Open311 "attributes"), checked against the question list.

A question is {"code", "label", "datatype", "required", "values": [{"key", "name"}]} with the datatypes
of GeoReport v2: string, number, datetime, text, singlevaluelist, multivaluelist. Both the REST API and
Open311 go through `clean_answers`, so a value refused on one door is refused on the other.
"""

import math

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .errors import CaseError
from .models import Category

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
MAX_STRING = 200
MAX_TEXT = 2000


def questions_of(category: Category) -> list[dict]:
    return [q for q in (category.extra_questions or []) if isinstance(q, dict) and q.get("code")]


def allowed_keys(question: dict) -> list[str]:
    return [str(v.get("key")) for v in question.get("values") or [] if isinstance(v, dict)]


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _clean_one(question: dict, value):
    """The stored form of `value`, or a message saying why it is not an answer to `question`."""
    datatype = question.get("datatype", "string")
    if datatype in ("string", "text"):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None, _("应为文本")
        value = str(value).strip()
        limit = MAX_TEXT if datatype == "text" else MAX_STRING
        if len(value) > limit:
            return None, _("不能超过 %(n)d 字") % {"n": limit}
        return value, None
    if datatype == "number":
        if isinstance(value, bool):
            return None, _("应为数字")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return None, _("应为数字")
        if not math.isfinite(number):
            return None, _("应为数字")
        return (int(number) if number.is_integer() and abs(number) < 2**53 else number), None
    if datatype == "datetime":
        if not isinstance(value, str):
            return None, _("应为 ISO 8601 时间")
        try:
            parsed = parse_datetime(value) or parse_date(value)
        except ValueError:
            parsed = None
        if parsed is None:
            return None, _("应为 ISO 8601 时间")
        return parsed.isoformat(), None
    keys = allowed_keys(question)
    if datatype == "singlevaluelist":
        if isinstance(value, list | tuple):
            if len(value) != 1:
                return None, _("只能选择一项")
            value = value[0]
        if str(value) not in keys or isinstance(value, bool | dict | list):
            return None, _("不是可选的取值")
        return str(value), None
    if datatype == "multivaluelist":
        values = list(value) if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, bool | dict | list) or str(v) not in keys for v in values):
            return None, _("包含不可选的取值")
        return sorted({str(v) for v in values}, key=keys.index), None
    return None, _("问题类型未知")


def clean_answers(category: Category, raw: dict | None, *, ignore_unknown: bool = False) -> dict:
    """Checked answers keyed by question code. Raises CaseError listing every bad field as `answers.CODE`."""
    raw = dict(raw or {})
    questions = {q["code"]: q for q in questions_of(category)}
    cleaned: dict = {}
    problems: dict[str, str] = {}
    for code, question in questions.items():
        value = raw.get(code)
        if _is_empty(value):
            if question.get("required"):
                problems[f"answers.{code}"] = _("此项必填")
            continue
        value, problem = _clean_one(question, value)
        if problem:
            problems[f"answers.{code}"] = problem
        else:
            cleaned[code] = value
    if not ignore_unknown:
        for code in raw:
            if code not in questions:
                problems[f"answers.{code}"] = _("该事项没有这个问题")
    if problems:
        first = next(iter(problems))
        raise CaseError("bad_answer", _("补充问题的回答有误：%(field)s") % {"field": first}, fields=problems)
    return cleaned
