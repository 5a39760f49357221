"""What a hand-over text for a receiving organisation may not contain: anything that names or
locates the person. Deliberately strict; the caseworker rewrites the text in other words."""

import re

from django.utils.translation import gettext as _

_TITLE = r"(?:mevrouw|mevr|meneer|mijnheer|dhr|mw|mr|mevr)\.?"
_PARTICLE = r"(?:(?:van|de|der|den|het|ter|ten|te|la|le|el|al)\s+)*"
_CHECKS = (
    # 1234 AB or 1234AB (not a year followed by a word: letters must be two capitals)
    ("postcode", re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b")),
    # Dorpsstraat 12, Kerkweg 3a, Van Goghlaan 7, Burgemeester de Vlugtlaan 125
    (
        "address",
        re.compile(
            r"\b[A-Za-zÀ-ÿ'-]*(?:straat|weg|laan|plein|gracht|kade|singel|dijk|pad|steeg|hof|"
            r"dreef|park|ring|baan|markt|wal|erf|veld|haven|kant|akker)\s+\d{1,5}\s?[a-zA-Z]?\b",
            re.IGNORECASE,
        ),
    ),
    # 06-12345678, +31 6 12345678, 010-1234567, 020 123 4567
    ("phone", re.compile(r"(?:\+31|0031|\b0)[\s-]?\d(?:[\s-]?\d){7,9}\b")),
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # mevrouw Jansen, Meneer de Vries, dhr. Pietersen (a capitalised word after the title)
    (
        "name",
        re.compile(rf"\b(?i:{_TITLE})\s+(?i:{_PARTICLE})[A-ZÀ-Þ][a-zà-ÿ'-]+"),
    ),
)


def find_personal_details(text: str) -> list[str]:
    """The kinds of personal details found in `text`: postcode, address, phone, email, name."""
    return [kind for kind, pattern in _CHECKS if pattern.search(text or "")]


def refusal(kinds: list[str]) -> str:
    words = {
        "postcode": _("een postcode"),
        "address": _("een straat met huisnummer"),
        "phone": _("een telefoonnummer"),
        "email": _("een e-mailadres"),
        "name": _("een naam"),
    }
    return _(
        "Deze tekst gaat naar een andere organisatie en bevat %(what)s. Schrijf hem zonder "
        "naam, adres, telefoon of gezondheid."
    ) % {"what": ", ".join(str(words[k]) for k in kinds)}


CONTACT_HIDDEN = "[contactgegeven weggelaten]"


def without_contact_details(text: str) -> str:
    """`text` with phone numbers and e-mail addresses replaced: what goes to the person a case
    is about may not give away the reporter (AVG art. 15(4))."""
    for kind, pattern in _CHECKS:
        if kind in ("phone", "email"):
            text = pattern.sub(CONTACT_HIDDEN, text or "")
    return text
