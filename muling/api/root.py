"""The ninja API root: mounts each app's router and turns domain errors into {"code", "message"}."""

from ninja import NinjaAPI

from muling.errors import DomainError

api = NinjaAPI(title="Muling API", version="1", urls_namespace="api-v1")


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)
