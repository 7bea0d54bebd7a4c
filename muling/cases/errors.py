from muling.errors import DomainError, Forbidden, NotFound


class CaseError(DomainError):
    pass


class CaseForbidden(Forbidden):
    pass


class CaseNotFound(NotFound):
    pass
