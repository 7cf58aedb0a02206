"""`{% kept "name" value ... %}...{% endkept %}`: a part of a page rendered once per content generation.

Like Django's `{% cache %}`, but the part is kept for as long as the content it shows stands, not for a fixed
time: the key is the name, the values given, the script prefix and `ContentGeneration.for_request` (which
changes with every committed content change, on every server). It is kept in this process ("rendered" cache,
settings.py). A staff preview, or a request inside a transaction, renders it afresh and keeps nothing. Use it
only for parts that depend on published content and the values given, never on the visitor or the request.
"""

import hashlib

from django import template
from django.core.cache import caches
from django.urls import get_script_prefix

from workflow.models import ContentGeneration

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        generation = ContentGeneration.for_request(context.get("request"))
        if generation is None:
            return self.nodelist.render(context)
        parts = [self.name, str(generation), get_script_prefix(), *(repr(v.resolve(context)) for v in self.vary_on)]
        key = "kept:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()
        store = caches["rendered"]
        html = store.get(key)
        if html is None:
            html = self.nodelist.render(context)
            store.set(key, html)
        return html


@register.tag("kept")
def do_kept(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a quoted name first: {{% kept \"name\" value ... %}}")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
