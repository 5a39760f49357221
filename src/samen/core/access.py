"""The one access resolver: municipality by slug, then user, then permission, for staff pages
(`@staff_view(perm)`) and API operations (`@tenant_endpoint(perm)`) alike.

A user who is not a member of the municipality gets 404, so other tenants' pages do not even
show they exist; a member without the permission gets 403; a member whose role requires
two-factor login must have passed it in this session (an API token is not a session: making
one already required the second factor). Superusers are members everywhere.
"""

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from ninja.errors import AuthenticationError

from .models import Municipality, User
from .roles import Role
from .tenancy import cached_municipality, municipality_scope


class AccountRequest(HttpRequest):
    """The request a `@login_required` view gets: a logged-in user (for type checking)."""

    user: User


class StaffRequest(AccountRequest):
    """The request a `@staff_view(perm)` view gets: the user may use `perm` in
    `municipality`, in whose scope the view runs."""

    municipality: Municipality
    role: Role | None


class PublicRequest(HttpRequest):
    """The request a `@public_view` page gets."""

    municipality: Municipality


class LoginRequired(Exception):
    """Nobody is logged in: a page sends the visitor to the login form, the API answers 401."""


class SecondFactorRequired(PermissionDenied):
    """The role needs two-factor login and this session has not passed it: a page sends the
    user to the code form, the API answers 403."""


def check(user, municipality: Municipality, perm: str, *, session: bool = True) -> None:
    """Raise unless `user` may use `perm` in `municipality` (see the module docstring)."""
    if not user.is_authenticated:
        raise LoginRequired
    if not user.is_superuser and user.membership_in(municipality) is None:
        raise Http404
    if session and user.needs_second_factor(municipality) and not user.is_verified():
        raise SecondFactorRequired
    if not user.has_samen_perm(municipality, perm):
        raise PermissionDenied


def resolve(
    request: HttpRequest, slug: str, perm: str | None = None, *, cached: bool = False
) -> Municipality:
    """The municipality of `slug`, checked for `perm` (None: public), as request.municipality
    (and request.role). `cached`: the API's 30-second cache of municipalities."""
    municipality = (
        cached_municipality(slug) if cached else get_object_or_404(Municipality, slug=slug)
    )
    if perm is not None:
        session = getattr(request, "auth_method", "session") == "session"
        check(request.user, municipality, perm, session=session)
        request.role = request.user.role_in(municipality)  # type: ignore[attr-defined,union-attr]
    request.municipality = municipality  # type: ignore[attr-defined]
    return municipality


def staff_view(perm: str = "staff.home") -> Callable:
    """A staff page of one municipality: `slug` in the URL, resolved and checked for `perm`;
    the view runs in the municipality's scope."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            try:
                municipality = resolve(request, slug, perm)
            except LoginRequired:
                return redirect_to_login(request.get_full_path())
            except SecondFactorRequired:
                target = urlencode({"next": request.get_full_path()}, safe="/")
                return redirect(f"{reverse('core:otp-verify')}?{target}")
            with municipality_scope(municipality):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


def tenant_endpoint(perm: str | None = None) -> Callable:
    """An API operation on /municipalities/{slug}/...: resolved like staff pages (401 for
    nobody, 404 for non-members, 403 without `perm`; None: public), request.municipality set,
    the operation run in the municipality's scope. Put it under the router's decorator; the
    operation keeps its `slug` parameter (ninja reads the signature through functools.wraps)."""

    def decorator(endpoint: Callable) -> Callable:
        @functools.wraps(endpoint)
        def wrapper(request: HttpRequest, *args, slug: str, **kwargs):
            try:
                municipality = resolve(request, slug, perm, cached=True)
            except LoginRequired:
                raise AuthenticationError from None
            with municipality_scope(municipality):
                return endpoint(request, *args, slug=slug, **kwargs)

        return wrapper

    return decorator
