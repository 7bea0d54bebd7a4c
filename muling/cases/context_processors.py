from .screens import CaseNav


def case_navigation(request):
    """The case links of the top navigation and the inbox badge; computed only when a page shows them."""
    return {"case_nav": CaseNav(request.user)}
