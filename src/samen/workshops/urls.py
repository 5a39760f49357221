from django.urls import path

from . import views

app_name = "workshops"

urlpatterns = [
    path("uitnodiging/<str:token>/", views.rsvp_short, name="rsvp-short"),
    path("<slug:slug>/uitnodiging/<str:token>/", views.rsvp, name="rsvp"),
    path("<slug:slug>/beheer/bijeenkomsten/", views.meeting_list, name="list"),
    path("<slug:slug>/beheer/bijeenkomsten/nieuw/", views.meeting_new, name="new"),
    path("<slug:slug>/beheer/bijeenkomsten/<int:pk>/", views.meeting_detail, name="meeting"),
    path("<slug:slug>/beheer/bijeenkomsten/<int:pk>/bewerken/", views.meeting_edit, name="edit"),
    path(
        "<slug:slug>/beheer/bijeenkomsten/<int:pk>/uitnodigen/",
        views.meeting_invite,
        name="invite",
    ),
    path(
        "<slug:slug>/beheer/bijeenkomsten/<int:pk>/opbrengst/",
        views.meeting_outcome,
        name="outcome",
    ),
    path(
        "<slug:slug>/beheer/bijeenkomsten/<int:pk>/agenda/",
        views.meeting_publish,
        name="publish",
    ),
]
