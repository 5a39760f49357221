from django.urls import path

from . import guide_views, views

app_name = "partners"

urlpatterns = [
    # Public: the transparency register and the open page.
    path("<slug:slug>/samenwerkingen/", views.register, name="register"),
    path("<slug:slug>/samenwerkingen/meedoen/", views.join, name="join"),
    path(
        "<slug:slug>/samenwerkingen/meedoen/bevestigen/<str:token>/",
        views.join_confirm,
        name="join-confirm",
    ),
    # Staff.
    path("<slug:slug>/beheer/partners/", views.longlist, name="longlist"),
    path("<slug:slug>/beheer/partners/nieuw/", views.partner_new, name="new"),
    path("<slug:slug>/beheer/partners/importeren/", views.import_longlist, name="import"),
    path("<slug:slug>/beheer/partners/weging/", views.weights, name="weights"),
    path("<slug:slug>/beheer/partners/niet-gesproken/", views.stale, name="stale"),
    path("<slug:slug>/beheer/partners/mijn-organisatie/", views.own_profile, name="own"),
    path("<slug:slug>/beheer/partners/aanbod/", guide_views.offer_page, name="offer"),
    path(
        "<slug:slug>/beheer/partners/aanbod/<int:pk>/", guide_views.offer_point, name="offer-point"
    ),
    path("<slug:slug>/beheer/partners/ambassadeurs/", guide_views.ambassadors, name="ambassadors"),
    path(
        "<slug:slug>/beheer/partners/organisaties/<slug:org>/", views.partner_detail, name="detail"
    ),
    path(
        "<slug:slug>/beheer/partners/organisaties/<slug:org>/bewerken/",
        views.partner_edit,
        name="edit",
    ),
    path(
        "<slug:slug>/beheer/partners/bijdragen/<int:pk>/",
        views.contribution_edit,
        name="contribution",
    ),
]
