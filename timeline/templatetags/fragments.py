"""``{% fragment "name" %}…{% endfragment %}``: a part of a page that the cache may
keep rendered (timeline/caching.py, ``Fragments``). The view says, in the context's
``fragments``, which fragments it found kept and under which keys to keep the others;
without it, or for a name it does not know, the content is simply rendered. What
a fragment varies with is the view's to say: keep it next to the data it renders.

``{% fragment "name" template="timeline/axis.html" %}`` (no body, no end tag) renders
the Jinja2 template of that name instead (``templates/jinja2/``, timeline/jinja.py),
with this template's context: for the few parts of a page that the template language
was too slow to render."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, name, nodelist=None, template_name=None):
        self.name, self.nodelist, self.template_name = name, nodelist, template_name

    def render(self, context):
        fragments = context.get("fragments")
        if fragments is None:
            return self.content(context)
        name = self.name.resolve(context)
        return mark_safe(fragments.render(name, lambda: self.content(context)))

    def content(self, context) -> str:
        if self.template_name is None:
            return self.nodelist.render(context)
        jinja2 = engines["jinja2"].get_template(self.template_name.resolve(context))
        return jinja2.render(context.flatten())


@register.tag
def fragment(parser, token):
    """{% fragment "name" %}…{% endfragment %}, or {% fragment "name" template="…" %}"""
    bits = token.split_contents()
    if len(bits) == 3 and bits[2].startswith("template="):
        name, template_name = bits[1], bits[2].removeprefix("template=")
        return FragmentNode(parser.compile_filter(name), None, parser.compile_filter(template_name))
    if len(bits) != 2:
        raise template.TemplateSyntaxError(
            '{% fragment %} takes a name, and optionally template="…" (a Jinja2 template).'
        )
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(parser.compile_filter(bits[1]), nodelist)
