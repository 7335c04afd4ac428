from django.urls import path

from akta.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("ny-aktualisering/", views.new_aktualisering, name="new_aktualisering"),
    path("arende/<str:ext_id>/", views.case_detail, name="detail"),
    path("arende/<str:ext_id>/handelse/<str:etype>/", views.event_form, name="event"),
]
