"""Tenancy: every request to a municipality's pages runs inside that municipality's scope.

Tenant-owned models use django-scopes' ScopedManager: a query outside a scope raises
ScopeError instead of silently reading every municipality's rows.
"""

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django_scopes import scope

from .models import Municipality

MUNICIPALITY_CACHE_SECONDS = 30
_municipalities: dict[str, tuple[float, Municipality]] = {}


def cached_municipality(slug: str) -> Municipality:
    """The municipality for an API call, kept in this process for up to 30 seconds: the hot
    public endpoints (concern intake, agenda search) then skip one query. Treat it as
    read-only. A change in this process clears it at once; other workers see it within 30 s."""
    hit = _municipalities.get(slug)
    now = time.monotonic()
    if hit is not None and now - hit[0] < MUNICIPALITY_CACHE_SECONDS:
        return hit[1]
    municipality = get_object_or_404(Municipality, slug=slug)
    _municipalities[slug] = (now, municipality)
    return municipality


def _forget_municipalities(**kwargs) -> None:
    _municipalities.clear()


post_save.connect(_forget_municipalities, sender=Municipality, dispatch_uid="samen-municipality")
post_delete.connect(_forget_municipalities, sender=Municipality, dispatch_uid="samen-municipality")


@contextmanager
def municipality_scope(municipality: Municipality) -> Iterator[None]:
    """Enter a municipality's scope. Never with None: django-scopes would then not filter."""
    if municipality is None or municipality.pk is None:
        raise ValueError("A municipality scope needs a saved municipality.")
    with scope(municipality=municipality.pk):
        yield


def public_view(view: Callable) -> Callable:
    """A public page of one municipality: `slug` in the URL becomes request.municipality."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        request.municipality = get_object_or_404(Municipality, slug=slug)
        with municipality_scope(request.municipality):
            return view(request, *args, **kwargs)

    return wrapper


def staff_view(perm: str = "staff.home") -> Callable:
    """A staff page of one municipality. A user who is not a member of that municipality gets
    404 (so other tenants' pages do not even show they exist); a member without `perm` gets
    403; a member whose role requires two-factor login must have passed it."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            municipality = get_object_or_404(Municipality, slug=slug)
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_superuser and user.membership_in(municipality) is None:
                raise Http404
            if user.needs_second_factor(municipality) and not user.is_verified():
                target = urlencode({"next": request.get_full_path()}, safe="/")
                return redirect(f"{reverse('core:otp-verify')}?{target}")
            if not user.has_samen_perm(municipality, perm):
                raise PermissionDenied
            request.municipality = municipality
            request.role = user.role_in(municipality)
            with municipality_scope(municipality):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator
