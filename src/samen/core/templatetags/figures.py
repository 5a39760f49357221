"""`{{ count|shown }}`: a figure as the viewer sees it, "< 5" when it is suppressed."""

from django import template

from samen.core import suppression

register = template.Library()


@register.filter
def shown(value):
    return suppression.shown(value)
