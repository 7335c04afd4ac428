from django.urls import path

from akta.followup import views

app_name = "followup"
urlpatterns = [
    path("", views.index, name="index"),
    path("indikator/<str:ind_id>/", views.indicator, name="indicator"),
    path("indikator/<str:ind_id>/cell/", views.cell, name="cell"),
    path("indikator/<str:ind_id>/spara/", views.save, name="save"),
    path("indikator/<str:ind_id>/avstamning/", views.reconcile_view, name="reconcile"),
    path("rapporter/", views.reports, name="reports"),
    path("rapporter/<int:pk>/", views.report, name="report"),
    path("namnd/", views.committee_pack, name="pack"),
    path("internkontroll-barn/", views.internal_control, name="internal_control"),
]
