from muling.errors import DomainError, Forbidden, NotFound


class CaseError(DomainError):
    """A refused case action (400), with a code and a message."""


class CaseForbidden(Forbidden):
    """The user may see the case but not do this (403)."""


class CaseNotFound(NotFound):
    """No such case, or not one the user may see (404)."""
