"""``{% absolute path %}``: the absolute address of one of the site's own pages, as
timeline/links.py builds every address that leaves the page (here: one printed on
paper). A fragment that holds one varies with the site's address."""

from django import template

from timeline.links import absolute_url

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute(context, path: str) -> str:
    return absolute_url(context.request, path)
