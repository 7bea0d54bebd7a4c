"""Forms of the case screens. They only parse what was posted (types, choices, which object an id
names); every rule — required text, photo checks, who may act, which move is legal — is the
service's, and its DomainError is put back on these forms at the field it names."""

import uuid

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from muling.errors import DomainError

from .answers import questions_of
from .enums import Channel, Satisfaction
from .models import Category
from .photos import MAX_PHOTOS
from .services import MAX_TEXT

TEXT_ROWS = 4


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """The uploads are read from request.FILES and checked by photos.clean_photos in the service; this
    field only gives the error a place next to the input."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片"))
        kwargs.setdefault(
            "help_text", _("最多 %(n)d 张，可直接拍照；位置信息会被自动去除") % {"n": MAX_PHOTOS}
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": "image/*"})

    def clean(self, data, initial=None):
        return data


def textarea(rows: int = TEXT_ROWS, placeholder: str = "") -> forms.Textarea:
    attrs = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


class ServiceForm(forms.Form):
    """A form whose service may refuse: `add_domain_error` shows the refusal at its field."""

    # Service field name → this form's field, where they differ.
    field_map: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        placed = False
        for name, message in error.fields.items():
            target = self.field_map.get(name, name)
            if target.startswith("answers."):
                target = "q_" + target.removeprefix("answers.")
            if target in self.fields:
                self.add_error(target, str(message))
                placed = True
        if not placed:
            self.add_error(None, str(error.message))


# ---- intake --------------------------------------------------------------------------------------


class PlaceChoice:
    HOME = "home"
    BUILDING = "building"
    MAP = "map"


def _question_field(question: dict) -> forms.Field:
    label = question.get("label") or question["code"]
    datatype = question.get("datatype", "string")
    keys = [(str(v.get("key")), v.get("name") or v.get("key")) for v in question.get("values") or []]
    common = {"label": label, "required": False}
    if datatype == "singlevaluelist":
        return forms.ChoiceField(choices=[("", "—")] + keys, **common)
    if datatype == "multivaluelist":
        return forms.MultipleChoiceField(choices=keys, widget=forms.CheckboxSelectMultiple, **common)
    if datatype == "text":
        return forms.CharField(widget=textarea(3), **common)
    if datatype == "number":
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if datatype == "datetime":
        return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    return forms.CharField(**common)


class QuestionsMixin:
    """Fields `q_<code>` for the chosen category's extra questions (Category.extra_questions)."""

    def add_questions(self, category: Category | None) -> None:
        self.questions = []
        for question in questions_of(category) if category else []:
            name = f"q_{question['code']}"
            field = _question_field(question)
            field.is_required_question = bool(question.get("required"))
            self.fields[name] = field
            self.questions.append(name)

    def question_fields(self):
        return [self[name] for name in self.questions]

    def raw_answers(self) -> dict:
        return {
            name.removeprefix("q_"): self.cleaned_data.get(name)
            for name in self.questions
            if self.cleaned_data.get(name) not in (None, "", [])
        }


def category_field() -> forms.ModelChoiceField:
    # Changing the category swaps its extra questions in (htmx).
    return forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True).order_by("order", "code"),
        required=False,
        label=_("问题类型"),
        empty_label=_("请选择"),
        widget=forms.Select(
            attrs={
                "hx-get": reverse_lazy("cases:questions"),
                "hx-target": "#questions",
                "hx-trigger": "change",
            }
        ),
    )


class ReportForm(QuestionsMixin, ServiceForm):
    """A resident's report: category, text, photos, place, extra questions."""

    field_map = {"area": "place", "lat": "place", "household": "place", "channel": "place"}

    category = category_field()
    text = forms.CharField(
        label=_("问题描述"),
        required=False,
        widget=textarea(placeholder=_("例如：3单元楼道灯不亮已经三天了")),
    )
    photos = PhotosField()
    place = forms.ChoiceField(
        label=_("问题位置"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (PlaceChoice.HOME, _("我家所在楼栋")),
            (PlaceChoice.BUILDING, _("选择楼栋")),
            (PlaceChoice.MAP, _("在地图上标注")),
        ],
    )
    building = forms.CharField(required=False, label=_("楼栋"))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    hide_name = forms.BooleanField(label=_("不公开我的姓名"), required=False, initial=True)
    source = forms.ChoiceField(
        choices=[("web", "web"), ("card", "card")], required=False, widget=forms.HiddenInput
    )
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, category: Category | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.update({"maxlength": MAX_TEXT})
        self.add_questions(category)

    def channel(self) -> str:
        return Channel.SERVICE_CARD if self.cleaned_data.get("source") == "card" else Channel.WEB

    def idempotency_key(self) -> str | None:
        """The per-form key (a uuid put into the form when it was shown), or None if it was tampered with."""
        try:
            return uuid.UUID(self.cleaned_data.get("key") or "").hex
        except ValueError:
            return None


class StaffReportForm(QuestionsMixin, ServiceForm):
    """Patrol discovery (巡查发现) and staff intake of a caller's problem (热线、来访)."""

    field_map = {"lat": "area", "household": "area"}

    channel = forms.ChoiceField(label=_("来源"), choices=[], required=False)
    category = category_field()
    text = forms.CharField(label=_("问题描述"), required=False, widget=textarea())
    photos = PhotosField()
    # Any code is accepted here: the service refuses a place outside the user's area, with its message.
    area = forms.CharField(label=_("位置（网格或楼栋）"), required=False, widget=forms.Select)
    address = forms.CharField(label=_("详细地址"), required=False, max_length=200)
    contact_name = forms.CharField(label=_("反映人姓名"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    hide_name = forms.BooleanField(label=_("不公开反映人姓名"), required=False, initial=True)
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, channels, areas, intake: bool, category: Category | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.value, c.label) for c in channels]
        self.fields["area"].widget.choices = [("", _("请选择"))] + [
            (a.code, ("— " if a.level == 6 else "") + a.name) for a in areas
        ]
        if not intake:
            for name in ("channel", "contact_name", "contact_phone", "hide_name"):
                del self.fields[name]
        self.add_questions(category)

    idempotency_key = ReportForm.idempotency_key


def new_form_key() -> str:
    return uuid.uuid4().hex


# ---- lifecycle actions ---------------------------------------------------------------------------


class EmptyForm(ServiceForm):
    """An action without fields (accept, take over …): only the service's errors."""


class NoteForm(ServiceForm):
    note = forms.CharField(label=_("备注内容"), required=False, widget=textarea(3))


class OptionalNoteForm(ServiceForm):
    note = forms.CharField(label=_("说明（可选）"), required=False, widget=textarea(2))


class ResolveForm(ServiceForm):
    result = forms.CharField(
        label=_("办理结果"), required=False, widget=textarea(placeholder=_("写明怎么解决的，居民能看到"))
    )
    photos = PhotosField(label=_("办结照片"))


class RateForm(ServiceForm):
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果满意吗？"),
        choices=Satisfaction.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("评价意见（可选）"), required=False, widget=textarea(2))
    if_unsatisfied = forms.ChoiceField(
        label=_("如果不满意"),
        choices=[("reopen", _("退回返工")), ("escalate", _("提交上级"))],
        required=False,
        initial="reopen",
        widget=forms.RadioSelect,
    )


class ReasonForm(ServiceForm):
    reason = forms.CharField(label=_("理由"), required=False, widget=textarea(2))


class AssignForm(ServiceForm):
    person = forms.ModelChoiceField(queryset=None, required=False, label=_("承办人"), empty_label="—")
    department = forms.ModelChoiceField(queryset=None, required=False, label=_("承办部门"), empty_label="—")
    note = forms.CharField(label=_("交办说明（可选）"), required=False, widget=textarea(2))

    def __init__(self, *args, people=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        from muling.people.models import Department, Person

        people, labels = people if people is not None else (Person.objects.none(), {})
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.name}（{labels[p.pk]}）" if labels.get(p.pk) else p.name
        )
        self.fields["department"].queryset = (
            departments if departments is not None else Department.objects.none()
        )


class MergeForm(ServiceForm):
    into = forms.CharField(label=_("并入诉求编号"), required=False, max_length=40)


class ExtensionForm(ServiceForm):
    days = forms.IntegerField(label=_("延期天数"), required=False, widget=forms.NumberInput(attrs={"min": 1}))
    reason = forms.CharField(label=_("延期理由"), required=False, widget=textarea(2))


class DecideExtensionForm(ServiceForm):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("同意")), ("refuse", _("驳回"))])
    note = forms.CharField(label=_("审批意见（可选）"), required=False, widget=textarea(2))


class SummonForm(ServiceForm):
    departments = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("吹哨部门"), widget=forms.CheckboxSelectMultiple
    )
    hours = forms.IntegerField(
        label=_("答复时限（小时）"), required=False, initial=24, widget=forms.NumberInput(attrs={"min": 1})
    )
    note = forms.CharField(label=_("吹哨说明"), required=False, widget=textarea(2))

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        from muling.people.models import Department

        self.fields["departments"].queryset = (
            departments if departments is not None else Department.objects.none()
        )


class AnswerSummonsForm(ServiceForm):
    summons = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("报到答复"), required=False, widget=textarea(3))


class CallbackForm(ServiceForm):
    note = forms.CharField(label=_("回访记录"), required=False, widget=textarea(2))
    satisfaction = forms.ChoiceField(
        label=_("居民评价（可选）"),
        choices=[("", "—"), *Satisfaction.choices],
        required=False,
    )
