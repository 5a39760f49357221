from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("<slug:slug>/agenda/", views.agenda, name="agenda"),
    path("<slug:slug>/agenda.ics", views.agenda_ics, name="agenda-ics"),
    path("<slug:slug>/agenda.rss", views.agenda_rss, name="agenda-rss"),
    path("<slug:slug>/agenda.atom", views.agenda_atom, name="agenda-atom"),
    path("<slug:slug>/agenda/print/", views.agenda_print, name="print"),
    path("<slug:slug>/agenda/embed/", views.agenda_embed, name="embed"),
    path("<slug:slug>/activiteiten/<int:pk>/", views.activity_detail, name="activity"),
    path("<slug:slug>/activiteiten/<int:pk>.ics", views.activity_ics, name="activity-ics"),
    path("<slug:slug>/meedoen/", views.join, name="join"),
    path("<slug:slug>/meedoen/bevestigen/<str:token>/", views.join_confirm, name="join-confirm"),
    path("<slug:slug>/beheer/activiteiten/", views.mine, name="mine"),
    path("<slug:slug>/beheer/activiteiten/nieuw/", views.edit, name="new"),
    path("<slug:slug>/beheer/activiteiten/<int:pk>/", views.edit, name="edit"),
    path(
        "<slug:slug>/beheer/activiteiten/feeds/<int:pk>/", views.refresh_feed, name="feed-refresh"
    ),
    path(
        "<slug:slug>/beheer/activiteiten/feeds/<int:pk>/accepteren/",
        views.accept_feed_change,
        name="feed-accept",
    ),
    path(
        "<slug:slug>/beheer/activiteiten/feeds/<int:pk>/behouden/",
        views.keep_feed_items,
        name="feed-keep",
    ),
    path("<slug:slug>/beheer/aanmeldingen/", views.registrations, name="registrations"),
]
