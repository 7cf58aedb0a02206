"""`{% kept "name" value ... %}...{% endkept %}`: a part of a page rendered once per content generation.

Like Django's `{% cache %}`, but the part is kept for as long as the content it shows stands rather than for a
fixed time (workflow/kept.py). Use it only for parts that depend on published content and the values given,
never on the visitor or the request.
"""

from django import template

from workflow.kept import keep

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, name, values):
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context):
        values = [value.resolve(context) for value in self.values]
        return keep(context.get("request"), self.name, *values, build=lambda: self.nodelist.render(context))


@register.tag("kept")
def do_kept(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a quoted name first: {{% kept \"name\" value ... %}}")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
