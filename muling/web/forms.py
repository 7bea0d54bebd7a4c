from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Residents log in with the phone number they gave the community; staff usually with a username."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名或手机号")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "inputmode": "text"})
        self.fields["password"].label = _("密码")
        self.error_messages = {
            **self.error_messages,
            "invalid_login": _("用户名（或手机号）与密码不匹配，请重新输入。"),
            "inactive": _("该账号已停用。"),
        }
