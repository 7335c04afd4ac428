from django.urls import path

from akta.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.index, name="index"),
    path("styrdokument/granskning/", views.review_worklist, name="reviews"),
    path("styrdokument/<int:pk>/fil/", views.document_upload, name="document_upload"),
    path("styrdokument/<int:pk>/fil/<int:number>/", views.document_download, name="document_download"),
    path("avvikelser/statistik/", views.deviation_statistics, name="deviation_statistics"),
    path("risker/matris/", views.risk_matrix, name="risk_matrix"),
    path("lex-sarah/<int:pk>/anmalan-ivo.<str:fmt>", views.ivo_notification, name="ivo_notification"),
    path("egenkontrollplaner/<int:pk>/kontrollfraga/", views.plan_add_item, name="plan_add_item"),
    path("egenkontrollplaner/<int:pk>/urval/", views.start_round, name="start_round"),
    path("egenkontroller/<int:pk>/", views.round_detail, name="round"),
    path("egenkontroller/<int:pk>/akt/<int:sid>/", views.sampled_file, name="sampled"),
    path("egenkontroller/<int:pk>/iakttagelse/", views.add_finding, name="add_finding"),
    path("egenkontroller/<int:pk>/avsluta/", views.close_round, name="close_round"),
    path("internkontroll/<int:pk>/kontrollmoment/", views.add_control_point, name="add_control_point"),
    path("kontrollmoment/<int:pk>/resultat/", views.add_control_result, name="add_control_result"),
    path("rapporter/", views.reports, name="reports"),
    path("rapporter/<int:year>/avsnitt/<str:key>/", views.edit_section, name="edit_section"),
    path("rapporter/kvalitetsberattelse-<int:year>.<str:fmt>", views.annual_report, name="annual_report"),
    path("rapporter/kvartal-<int:year>-<int:quarter>.<str:fmt>", views.quarterly_report, name="quarterly_report"),
    path("rapporter/internkontroll-<int:year>.<str:fmt>", views.internal_control_report,
         name="internal_control_report"),
    path("<str:slug>/", views.register_list, name="list"),
    path("<str:slug>/ny/", views.register_create, name="create"),
    path("<str:slug>/<int:pk>/", views.register_detail, name="detail"),
    path("<str:slug>/<int:pk>/andra/", views.register_edit, name="edit"),
    path("<str:slug>/<int:pk>/steg/<str:to>/", views.take_step, name="step"),
]
