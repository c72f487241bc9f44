"""``{% fragment "name" %}…{% endfragment %}``: a part of a page that the cache may
keep rendered (timeline/caching.py, ``Fragments``). The view says, in the context's
``fragments``, which fragments it found kept and under which keys to keep the others;
without it, or for a name it does not know, the content is simply rendered. What
a fragment varies with is the view's to say: keep it next to the data it renders."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        fragments = context.get("fragments")
        if fragments is None:
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        return mark_safe(fragments.render(name, lambda: self.nodelist.render(context)))


@register.tag
def fragment(parser, token):
    """{% fragment "name" %}…{% endfragment %}"""
    try:
        _, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("{% fragment %} takes one argument: its name.") from None
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(parser.compile_filter(name), nodelist)
