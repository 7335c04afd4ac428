from django.urls import path

from akta.logcheck import views

app_name = "audit"
urlpatterns = [
    path("", views.log_view, name="log"),
    path("kontrollera/", views.verify_view, name="verify"),
]
