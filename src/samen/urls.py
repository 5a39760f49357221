from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from samen.api import api
from samen.core import views as core_views

# The admin lets only verified (two-factor) superusers in; its login form asks for the code.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Single sign-on (core/oidc.py): /account/sso/authenticate/ and /account/sso/callback/.
    path("account/sso/", include("mozilla_django_oidc.urls")),
    path("", include("samen.core.urls")),
    path("", include("samen.concerns.urls")),
    path("", include("samen.activities.urls")),
    path("", include("samen.partners.urls")),
    path("", include("samen.outreach.urls")),
    path("", include("samen.volunteering.urls")),
    path("", include("samen.workshops.urls")),
    path("", include("samen.impact.urls")),
]

handler400 = "samen.core.errors.bad_request"
handler404 = "samen.core.errors.not_found"
handler500 = "samen.core.errors.server_error"
handler403 = "samen.core.errors.forbidden"
