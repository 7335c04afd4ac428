"""The project's URLs and one view more (test_access_matrix checks that the matrix notices it)."""
from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("ny-vy/", lambda request: HttpResponse("ny"), name="ny-vy"),
    path("", include("akta.urls")),
]
