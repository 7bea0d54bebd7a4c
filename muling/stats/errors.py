from muling.errors import DomainError, Forbidden, NotFound


class StatsError(DomainError):
    """Bad input to a statistics page, export or API call (answered with 400 and the message)."""


class StatsForbidden(Forbidden):
    """Numbers outside the user's scope (403)."""


class StatsNotFound(NotFound):
    """An unknown area, department or person (404)."""
