"""Build the POST an admin change form would send, from the page admin rendered."""

from django.urls import reverse


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def change_form_data(client, url):
    """What a browser would submit from the change form at `url`, unchanged."""
    response = client.get(url)
    context = response.context
    assert context is not None and "adminform" in context, (
        f"GET {url} did not show the change form: {response.status_code} {response.content[:600]!r}"
    )
    data = {
        name: [getattr(v, "pk", v) for v in value] if isinstance(value, list | tuple) else getattr(value, "pk", value)
        for name, value in context["adminform"].form.initial.items()
        if value is not None
    }
    data.update(inline_management_data(context))
    return data


def inline_management_data(context):
    """The POST data admin inline formsets expect, built from what the page rendered."""
    data = {}
    for formset in context["inline_admin_formsets"]:
        fs = formset.formset
        prefix = fs.prefix
        data[f"{prefix}-TOTAL_FORMS"] = len(fs.forms)
        data[f"{prefix}-INITIAL_FORMS"] = fs.initial_form_count()
        for index, form in enumerate(fs.forms):
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is None:
                    continue
                if hasattr(value, "pk"):
                    value = value.pk
                if isinstance(value, list | tuple):
                    data[f"{prefix}-{index}-{name}"] = [getattr(v, "pk", v) for v in value]
                elif isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{index}-{name}"] = "on"
                else:
                    data[f"{prefix}-{index}-{name}"] = value
    return data
