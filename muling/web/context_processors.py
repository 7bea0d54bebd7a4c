from django.conf import settings


def navigation(request):
    return {"site_name": settings.MULING_SITE_NAME}
