from django.urls import path, re_path

from akta.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.index, name="index"),
    path("mina/", views.mine, name="mine"),
    path("enhet/", views.unit, name="unit"),
    path("namnden/", views.committee, name="committee"),
    path("installningar/", views.settings_page, name="settings"),
    path("ej-verkstallda-beslut/", views.evb_page, name="evb"),
    re_path(r"^ej-verkstallda-beslut/(?P<quarter>\d{4}Q[1-4])\.(?P<fmt>json|csv|xlsx|pdf)$", views.evb_download,
            name="evb_download"),
]
