from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("logga-in/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/", include("akta.cases.api.urls")),
    path("logg/", include("akta.audit.urls")),
    path("bevakningar/", include("akta.deadlines.urls")),
    path("uppfoljning/", include("akta.followup.urls")),
    path("kvalitet/", include("akta.quality.urls")),
    path("", include("akta.cases.urls")),
]
