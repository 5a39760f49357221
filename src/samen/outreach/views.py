"""Pages of outreach: e-mail to partners (templates, campaigns) and the newsletter, for the
coordinator; the newsletter's public sign-up, confirmation and one-click unsubscribe."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from samen.core.access import staff_view
from samen.core.errors import Conflict
from samen.core.forms import add_service_errors
from samen.core.signup_views import confirm_by_button, visitor_limited
from samen.core.tenancy import public_view
from samen.partners import selectors as partners_selectors

from . import selectors, services
from .forms import CampaignForm, NewsletterForm, SubscribeForm, TemplateForm
from .models import EmailCampaign, EmailTemplate, Newsletter


def _manage_only(request: HttpRequest) -> None:
    """Object pages: whoever may not manage partners gets 404, as for unknown objects."""
    if not request.user.has_samen_perm(request.municipality, "partners.manage"):
        raise Http404


# --- e-mail --------------------------------------------------------------------------------


@staff_view("partners.manage")
def templates(request: HttpRequest) -> HttpResponse:
    context = {
        "templates": selectors.templates(),
        "campaigns": selectors.campaigns_with_counts(),
        "merge_fields": services.MERGE_FIELDS,
    }
    return render(request, "outreach/templates.html", context)


@staff_view("staff.home")
def template_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    _manage_only(request)
    template = get_object_or_404(EmailTemplate, slug=key) if key else None
    initial = (
        {k: getattr(template, k) for k in ("name", "purpose", "subject", "body")}
        if template
        else {}
    )
    form = TemplateForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            template = services.save_template(
                municipality=request.municipality,
                actor=request.user,
                data=form.cleaned_data,
                template=template,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sjabloon opgeslagen."))
            return redirect("outreach:template", slug=request.municipality.slug, key=template.slug)
    if template is not None:
        sample = {
            "aanhef": _("Beste Johan"),
            "organisatie": "Supermarkt De Buurtmarkt",
            "compliment": _("De Buurtmarkt staat bekend om de klets-kassa op dinsdag"),
            "verzoek": _("een koffiemoment in de winkel te organiseren"),
            "afzender": request.user.get_full_name() or request.user.username,
            "gemeente": request.municipality.name,
            "aanbod": partners_selectors.offer_text(request.municipality),
        }
        preview = {
            "subject": services.render_merge(template.subject, sample),
            "body": services.with_voluntary_note(services.render_merge(template.body, sample)),
        }
    context = {
        "form": form,
        "template": template,
        "preview": preview,
        "merge_fields": services.MERGE_FIELDS,
    }
    return render(request, "outreach/template_form.html", context)


@staff_view("partners.manage")
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Preview, then send a templated e-mail to one partner or a selection."""
    data = request.POST if request.method == "POST" else None
    ids = [int(i) for i in (data or request.GET).getlist("partner") if i.isdigit()]
    chosen = partners_selectors.partners_by_ids(ids[: partners_selectors.PAGE_SIZE])
    partner = chosen[0] if len(chosen) == 1 else None
    templates_qs = selectors.templates()
    sender = "\n".join(
        filter(
            None,
            [
                request.user.get_full_name() or request.user.username,
                _("Regisseur eenzaamheid"),
                f"{_('Gemeente')} {request.municipality.name}",
                request.user.email,
            ],
        )
    )
    initial = {"selection": "one" if chosen else "shortlist", "sender": sender}
    if request.GET.get("template", "").isdigit():
        initial["template"] = int(request.GET["template"])
    else:
        business = templates_qs.filter(purpose=EmailTemplate.Purpose.BUSINESS).first()
        initial["template"] = business.pk if business else None
    form = CampaignForm(data, initial=initial, templates=templates_qs, chosen=len(chosen))
    preview = None
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        recipients = partners_selectors.campaign_recipients(
            cleaned["selection"], partner_ids=[p.pk for p in chosen], step=cleaned["step"]
        )
        template = cleaned["template"]
        with_email = recipients.filter(~Q(contact_email="") | ~Q(organisation__email=""))
        count = with_email.count()
        if count == 0:
            form.add_error("selection", _("Geen van deze partners heeft een e-mailadres."))
        elif request.POST.get("confirm") == "1":
            try:
                queued = services.queue_campaign(
                    municipality=request.municipality,
                    actor=request.user,
                    partners=recipients,
                    subject=template.subject,
                    body=template.body,
                    sender=cleaned["sender"],
                    default_request=cleaned["default_request"],
                    template=template,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(n)d e-mail(s) in de wachtrij gezet.") % {"n": queued.queued}
                    + (
                        " "
                        + _("Zonder e-mailadres: %(l)s.")
                        % {"l": ", ".join(queued.without_email[:10])}
                        if queued.without_email
                        else ""
                    )
                    + (
                        " "
                        + _("Afgemeld voor e-mail, niet verstuurd: %(l)s.")
                        % {"l": ", ".join(queued.opted_out[:10])}
                        if queued.opted_out
                        else ""
                    ),
                )
                return redirect(
                    "outreach:campaign", slug=request.municipality.slug, pk=queued.campaign.pk
                )
        if count and not form.errors:
            first = with_email.order_by("pk").values(*services.RECIPIENT_FIELDS).first()
            values = services.merge_values(
                first,
                municipality=request.municipality,
                sender=cleaned["sender"],
                default_request=cleaned["default_request"],
            )
            preview = {
                "count": count,
                "without": recipients.count() - count,
                "to": first["contact_email"] or first["organisation__email"],
                "subject": services.render_merge(template.subject, values),
                "body": services.with_voluntary_note(services.render_merge(template.body, values)),
            }
    context = {
        "form": form,
        "partner": partner,
        "chosen": chosen,
        "preview": preview,
        "has_templates": templates_qs.exists(),
    }
    return render(request, "outreach/campaign_form.html", context)


@staff_view("staff.home")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _manage_only(request)
    campaign = get_object_or_404(EmailCampaign, pk=pk)
    if request.method == "POST" and request.POST.get("action") == "retry":
        count = services.retry_failed(campaign=campaign, actor=request.user)
        messages.success(request, _("%(n)d e-mail(s) opnieuw in de wachtrij.") % {"n": count})
        return redirect("outreach:campaign", slug=request.municipality.slug, pk=campaign.pk)
    context = {
        "campaign": campaign,
        "counts": selectors.campaign_counts(campaign),
        "sends": selectors.campaign_sends(campaign),
    }
    return render(request, "outreach/campaign.html", context)


# --- newsletter ----------------------------------------------------------------------------


@staff_view("partners.manage")
def newsletters(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "compose":
        subject, body = services.compose_newsletter(municipality=request.municipality)
        newsletter = services.save_newsletter(
            municipality=request.municipality, actor=request.user, subject=subject, body=body
        )
        return redirect("outreach:newsletter", slug=request.municipality.slug, pk=newsletter.pk)
    context = {
        "newsletters": selectors.newsletters_with_counts(),
        "subscribers": selectors.subscriber_counts(),
    }
    return render(request, "outreach/newsletters.html", context)


EDIT_ACTIONS = {"save", "test", "preview"}  # the buttons of the edit form


@staff_view("staff.home")
def newsletter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit, then see exactly what goes out ("Verstuur naar 1.234 abonnees?") and confirm;
    a test to the coordinator's own address first if wanted. Every button of the edit form
    saves what is on the screen first, so what was typed is what is previewed and sent."""
    _manage_only(request)
    newsletter = get_object_or_404(Newsletter, pk=pk)
    action = request.POST.get("action", "")
    editing = action in EDIT_ACTIONS and "body" in request.POST  # not the confirmation's test
    form = NewsletterForm(
        request.POST if editing else None,
        initial={"subject": newsletter.subject, "body": newsletter.body},
    )
    here = redirect("outreach:newsletter", slug=request.municipality.slug, pk=newsletter.pk)
    if request.method == "POST" and newsletter.queued_at is not None:
        messages.warning(request, _("Deze nieuwsbrief is al verstuurd."))
    elif request.method == "POST":
        previewed = request.POST.get("previewed", "")[:64]
        try:
            if editing:
                if not form.is_valid():
                    raise ValidationError([])
                if form.has_changed() or action == "save":
                    newsletter = services.save_newsletter(
                        municipality=request.municipality,
                        actor=request.user,
                        newsletter=newsletter,
                        **form.cleaned_data,
                    )
                if action == "save":
                    messages.success(request, _("Nieuwsbrief opgeslagen."))
                    return here
                if action == "preview":
                    return _newsletter_confirm(request, newsletter)
            if action == "test":
                if previewed and previewed != services.newsletter_digest(newsletter):
                    raise services.newsletter_changed_error()
                address = services.send_newsletter_test(newsletter=newsletter, actor=request.user)
                messages.success(
                    request,
                    _("Testmail verstuurd naar %(e)s. Kijk hoe hij eruitziet.") % {"e": address},
                )
                if previewed:
                    return _newsletter_confirm(request, newsletter)
                return here
            if action == "send":
                if not previewed:  # the confirmation comes first, always
                    return _newsletter_confirm(request, newsletter)
                count = services.queue_newsletter(
                    newsletter=newsletter, actor=request.user, previewed=previewed
                )
                messages.success(
                    request, _("Nieuwsbrief in de wachtrij voor %(n)d abonnee(s).") % {"n": count}
                )
                return here
        except Conflict as error:
            newsletter.refresh_from_db()
            return _newsletter_confirm(request, newsletter, warning=" ".join(error.messages))
        except ValidationError as error:
            if form.is_bound:
                if error.messages:
                    form.add_error(None, error)
            else:
                messages.warning(request, " ".join(error.messages))
                if previewed and newsletter.queued_at is None:
                    return _newsletter_confirm(request, newsletter)
    context = {
        "newsletter": newsletter,
        "form": form,
        "counts": selectors.newsletter_counts(newsletter),
        "subscribers": selectors.active_subscriber_count(),
    }
    return render(request, "outreach/newsletter.html", context)


def _newsletter_confirm(
    request: HttpRequest, newsletter: Newsletter, *, warning: str = ""
) -> HttpResponse:
    """The confirmation page: the e-mail as it goes out, to how many, with the digest of
    this version (the send refuses another version)."""
    count = selectors.active_subscriber_count()
    context = {
        "newsletter": newsletter,
        "count": count,
        "count_shown": number_format(count, force_grouping=True),
        "digest": services.newsletter_digest(newsletter),
        "body": services.newsletter_body(
            newsletter, _("[hier staat voor elke abonnee een eigen afmeldlink]")
        ),
        "warning": warning,
    }
    return render(request, "outreach/newsletter_confirm.html", context)


# --- public pages: the newsletter ------------------------------------------------------------


@never_cache
@public_view
def newsletter_subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        if visitor_limited(request, "newsletter"):
            form.is_valid()
            form.add_error(
                None, _("Te veel aanmeldingen vanaf dit adres. Probeer het later opnieuw.")
            )
            return render(request, "outreach/subscribe.html", {"form": form}, status=429)
        if form.is_valid():
            if not form.cleaned_data["website"]:
                services.subscribe(
                    municipality=request.municipality,
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                )
            return render(request, "outreach/subscribe.html", {"done": True})
    return render(request, "outreach/subscribe.html", {"form": form})


@never_cache
@public_view
@confirm_by_button(services.NEWSLETTER_SIGNUP)
def newsletter_confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = services.confirm_subscription(municipality=request.municipality, token=token[:64])
    if subscriber is None:
        raise Http404
    return render(request, "outreach/subscribe.html", {"confirmed": True, "subscriber": subscriber})


@never_cache
@csrf_exempt  # RFC 8058 one-click: the mail provider posts without a CSRF token; the token is the key
@public_view
def newsletter_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every newsletter: a page with a button, or one click (RFC 8058). Once
    used, the subscription is gone and the link keeps saying so."""
    subscriber = selectors.subscriber_by_token(token)
    if request.method == "POST" or subscriber is None:
        if not services.unsubscribe(municipality=request.municipality, token=token):
            raise Http404
        return render(request, "outreach/subscribe.html", {"unsubscribed": True})
    return render(request, "outreach/subscribe.html", {"unsubscribe": subscriber})
