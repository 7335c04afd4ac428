"""The project's URLs plus the quality API at /api/kvalitet/ (as the project will mount it)."""
from django.urls import include, path

from akta.quality.api import router
from akta.urls import handler400, handler404  # noqa: F401  (the project's error pages)
from akta.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("api/kvalitet/", include(router.urls)), *project_urlpatterns]
