from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    # Public: the transparency register, the open page, the newsletter.
    path("<slug:slug>/samenwerkingen/", views.register, name="register"),
    path("<slug:slug>/samenwerkingen/meedoen/", views.join, name="join"),
    path(
        "<slug:slug>/samenwerkingen/meedoen/bevestigen/<str:token>/",
        views.join_confirm,
        name="join-confirm",
    ),
    path("<slug:slug>/nieuwsbrief/", views.newsletter_subscribe, name="newsletter-subscribe"),
    path(
        "<slug:slug>/nieuwsbrief/bevestigen/<str:token>/",
        views.newsletter_confirm,
        name="newsletter-confirm",
    ),
    path(
        "<slug:slug>/nieuwsbrief/afmelden/<str:token>/",
        views.newsletter_unsubscribe,
        name="newsletter-unsubscribe",
    ),
    # Staff.
    path("<slug:slug>/beheer/partners/", views.longlist, name="longlist"),
    path("<slug:slug>/beheer/partners/nieuw/", views.partner_new, name="new"),
    path("<slug:slug>/beheer/partners/importeren/", views.import_longlist, name="import"),
    path("<slug:slug>/beheer/partners/weging/", views.weights, name="weights"),
    path("<slug:slug>/beheer/partners/niet-gesproken/", views.stale, name="stale"),
    path("<slug:slug>/beheer/partners/mijn-organisatie/", views.own_profile, name="own"),
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
    path("<slug:slug>/beheer/partners/e-mail/", views.templates, name="templates"),
    path("<slug:slug>/beheer/partners/e-mail/sjabloon/", views.template_edit, name="template-new"),
    path(
        "<slug:slug>/beheer/partners/e-mail/sjabloon/<slug:key>/",
        views.template_edit,
        name="template",
    ),
    path("<slug:slug>/beheer/partners/e-mail/versturen/", views.campaign_new, name="campaign-new"),
    path(
        "<slug:slug>/beheer/partners/e-mail/verzending/<int:pk>/",
        views.campaign_detail,
        name="campaign",
    ),
    path("<slug:slug>/beheer/partners/nieuwsbrief/", views.newsletters, name="newsletters"),
    path(
        "<slug:slug>/beheer/partners/nieuwsbrief/<int:pk>/",
        views.newsletter_detail,
        name="newsletter",
    ),
]
