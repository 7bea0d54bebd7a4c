"""Domain errors: every refusal carries a stable code, a translated message and, where it belongs to
one input, the field. Views show the message next to the field; the API turns it into
{"code", "message", "fields"} with the right 4xx."""


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message, *, field: str | None = None, fields: dict | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, str(message))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403
