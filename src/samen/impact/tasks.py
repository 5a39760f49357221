"""Background recomputation of the impact figures (see selectors)."""

from django_tasks import task

from samen.core.models import Municipality
from samen.core.tenancy import municipality_scope

from . import selectors


@task()
def refresh_figures(municipality_id: int, year: int) -> None:
    municipality = Municipality.objects.get(pk=municipality_id)
    with municipality_scope(municipality):
        selectors.refresh(municipality=municipality, year=year)
