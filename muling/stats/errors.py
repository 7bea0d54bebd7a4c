from muling.errors import DomainError, Forbidden, NotFound


class StatsError(DomainError):
    """Bad input to a statistics page, export or API call (answered with 400 and the message)."""


class StatsForbidden(Forbidden):
    pass


class StatsNotFound(NotFound):
    pass
