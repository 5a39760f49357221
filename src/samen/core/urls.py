from django.contrib.auth.views import LogoutView
from django.urls import path

from . import account_views, audit_views, privacy_views, signup_views, views

app_name = "core"

urlpatterns = [
    path("", views.index, name="index"),
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", LogoutView.as_view(), name="logout"),
    path("account/", views.after_login, name="after-login"),
    path("account/tweestapsverificatie/", views.otp_setup, name="otp-setup"),
    path("account/code/", views.otp_verify, name="otp-verify"),
    path("account/sleutels/", views.account_tokens, name="account-tokens"),
    path("account/wachtwoord/", account_views.password_change, name="password-change"),
    path(
        "account/wachtwoord/gewijzigd/",
        account_views.password_change_done,
        name="password-change-done",
    ),
    path("account/wachtwoord-vergeten/", account_views.password_reset, name="password-reset"),
    path(
        "account/wachtwoord-vergeten/verstuurd/",
        account_views.password_reset_done,
        name="password-reset-done",
    ),
    path(
        "account/wachtwoord-vergeten/klaar/",
        account_views.password_reset_complete,
        name="password-reset-complete",
    ),
    path(
        "account/wachtwoord-vergeten/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("account/uitnodiging/<str:token>/", account_views.invitation, name="invitation"),
    # Municipality pages after the fixed paths above, which `<slug>/` would otherwise shadow.
    path("<slug:slug>/", views.municipality_home, name="municipality-home"),
    path("<slug:slug>/beheer/", views.staff_home, name="staff-home"),
    path("<slug:slug>/beheer/accounts/", account_views.accounts, name="accounts"),
    path("<slug:slug>/beheer/accounts/uitnodigen/", account_views.invite, name="account-invite"),
    path("<slug:slug>/beheer/accounts/<int:pk>/", account_views.account, name="account"),
    path("<slug:slug>/beheer/aanmeldingen/nakijken/", signup_views.signups, name="signups"),
    path("<slug:slug>/beheer/audit/", audit_views.audit_log, name="audit"),
    path("<slug:slug>/beheer/audit/csv/", audit_views.audit_log_csv, name="audit-csv"),
    path("<slug:slug>/beheer/privacy/", privacy_views.search, name="privacy"),
    path(
        "<slug:slug>/beheer/privacy/<slug:kind>/<slug:ref>/",
        privacy_views.subject,
        name="privacy-subject",
    ),
    path(
        "<slug:slug>/beheer/privacy/<slug:kind>/<slug:ref>/tekst/",
        privacy_views.subject_text,
        name="privacy-subject-text",
    ),
    path(
        "<slug:slug>/beheer/privacy/<slug:kind>/<slug:ref>/wissen/",
        privacy_views.erase,
        name="privacy-erase",
    ),
]
