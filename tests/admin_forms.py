"""Post Django admin forms from tests the way a browser would."""

import datetime


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def form_data(response) -> dict:
    """Everything an admin change (or revert) form on ``response`` would post back unchanged:
    the main form, and each inline's management form and rows."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [_plain(item) for item in value]
            else:
                data[key] = _plain(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """The POST data of an inline formset with ``rows`` as new forms."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + initial),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows, start=initial):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data
