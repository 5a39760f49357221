"""Outreach's pages keep the paths they had under partners (/<gemeente>/nieuwsbrief/...,
/<gemeente>/beheer/partners/e-mail/...); only the URL names moved to `outreach:`."""

from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    # Public: the newsletter.
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
    # Staff: e-mail to partners and the newsletter.
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
