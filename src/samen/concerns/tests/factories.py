"""Factories for Signaalpunt: a report is always filed through services.submit_report, so its
reference, status token, case and history are what the intake makes of it."""

import factory

from samen.concerns import services
from samen.concerns.models import Case, PersonAware, Relation, Report, ReporterType, Sign
from samen.core.tenancy import municipality_scope
from samen.core.tests.factories import MunicipalityFactory


class ReportFactory(factory.Factory):
    """A melding filed as the web form would: `ReportFactory(municipality=m)` opens a case at a
    new address; give the same postcode and house_number to link reports to one case."""

    class Meta:
        model = Report

    municipality = factory.SubFactory(MunicipalityFactory)
    reporter_organisation = None
    source = "web"
    signs = factory.LazyFunction(lambda: [Sign.CURTAINS_CLOSED, Sign.MAIL_PILING])
    description = "De gordijnen zijn al een week dicht."
    postcode = factory.Sequence(lambda n: f"{9501 + n % 400:04d}AB")
    house_number = factory.Sequence(lambda n: str(n + 1))
    relation = Relation.NEIGHBOUR
    person_aware = PersonAware.UNKNOWN
    reporter_type = ReporterType.NEIGHBOUR

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("A report exists only as submit_report files it: create it.")

    @classmethod
    def _create(cls, model_class, *, municipality, reporter_organisation, source, **data):
        with municipality_scope(municipality):
            submitted = services.submit_report(
                municipality=municipality,
                data=data,
                source=source,
                reporter_organisation=reporter_organisation,
            )
        return submitted.report


class CaseFactory(factory.Factory):
    """An open case with one report (filed through the intake). Other Case fields given here
    (status, urgency, assignee, ...) are then written onto the case, as a test's setup."""

    class Meta:
        model = Case

    municipality = factory.SubFactory(MunicipalityFactory)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("A case exists only as submit_report opens it: create it.")

    @classmethod
    def _create(cls, model_class, *, municipality, **fields):
        case = ReportFactory(municipality=municipality).case
        if fields:
            with municipality_scope(municipality):
                Case.objects.filter(pk=case.pk).update(**fields)
                case.refresh_from_db()
        return case
