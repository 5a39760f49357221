from django.urls import path

from . import views

app_name = "impact"

urlpatterns = [
    path("<slug:slug>/beheer/impact/", views.dashboard, name="dashboard"),
    path("<slug:slug>/beheer/impact/jaarverslag/", views.report, name="report"),
    path("<slug:slug>/beheer/impact/jaarverslag.pdf", views.report_pdf, name="report-pdf"),
    path("<slug:slug>/beheer/impact/bijwerken/", views.refresh, name="refresh"),
    path("<slug:slug>/beheer/impact/eigen/", views.own, name="own"),
    path(
        "<slug:slug>/beheer/impact/eigen/<slug:key>.<str:fmt>", views.own_export, name="own-export"
    ),
    path("<slug:slug>/beheer/impact/<slug:key>.<str:fmt>", views.export, name="export"),
]
