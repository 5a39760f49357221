from django.urls import path

from . import views

app_name = "concerns"

urlpatterns = [
    path("<slug:slug>/signaal/", views.report, name="report"),
    path("<slug:slug>/signaal/status/<str:token>/", views.status, name="status"),
    path("<slug:slug>/beheer/signalen/", views.queue, name="queue"),
    path("<slug:slug>/beheer/signalen/cijfers/", views.figures, name="figures"),
    path("<slug:slug>/beheer/signalen/cijfers.csv", views.figures_csv, name="figures-csv"),
    path("<slug:slug>/beheer/signalen/terugkoppeling/", views.feedback, name="feedback"),
    path("<slug:slug>/beheer/signalen/<int:pk>/", views.case_detail, name="case"),
]
