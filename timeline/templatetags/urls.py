"""``{% url %}``, as Django's, but an address without arguments is reversed once per
process (for each application namespace, script prefix and URLconf it can differ by):
the site's header and footer name nine pages, and reversing each took a tenth of the
time of a page served from its cached fragments. Installed as a builtin in
karabakh/settings.py, so every template, the admin's included, uses it; an address
with arguments, or ``as`` a variable, is reversed as Django does."""

import functools

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@functools.lru_cache(maxsize=512)
def reversed_once(view_name: str, current_app, prefix: str, urlconf) -> str:
    return reverse(view_name, current_app=current_app)


class PlainURLNode(URLNode):
    def render(self, context):
        if self.args or self.kwargs or self.asvar:
            return super().render(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = reversed_once(
            self.view_name.resolve(context), current_app, get_script_prefix(), get_urlconf()
        )
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return PlainURLNode(node.view_name, node.args, node.kwargs, node.asvar)
