from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from drf_spectacular.views import SpectacularAPIView

from akta.access import oidc
from akta.quality.api import router as quality_router

urlpatterns = [
    path("logga-in/", oidc.LoginView.as_view(), name="login"),
    # Sign-in through the municipality's identity provider (404 unless configured).
    path("logga-in/oidc/", oidc.AuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("logga-in/oidc/klar/", oidc.AuthenticationCallbackView.as_view(), name="oidc_authentication_callback"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/losenord/", auth_views.PasswordChangeView.as_view(
        template_name="registration/password_change.html", success_url=reverse_lazy("password_change_done")),
        name="password_change"),
    path("konto/losenord/klart/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/password_change_done.html"), name="password_change_done"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/kvalitet/", include(quality_router.urls)),
    path("api/", include("akta.cases.api.urls")),
    path("logg/", include("akta.logcheck.urls")),
    path("bevakningar/", include("akta.deadlines.urls")),
    path("uppfoljning/", include("akta.followup.urls")),
    path("kvalitet/", include("akta.quality.urls")),
    path("", include("akta.cases.urls")),
]


def not_found(request, exception):
    """JSON for the API (also for paths that match no route), the Swedish page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "Finns inte."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


handler404 = not_found


def bad_request(request, exception):
    """A refused parameter (akta.params.BadParameter) with its Swedish message naming the field."""
    from akta.params import BadParameter

    message = exception.message if isinstance(exception, BadParameter) else "Begäran är ogiltig."
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        field = exception.field if isinstance(exception, BadParameter) else "non_field_errors"
        return JsonResponse({field: [message]}, status=400)
    from django.shortcuts import render

    return render(request, "400.html", {"message": message}, status=400)


handler400 = bad_request
