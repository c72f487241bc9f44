"""Post Django admin forms from tests the way a browser would."""

import datetime

from django.urls import reverse

PASSWORD = "a-long-and-unguessable-editor-password"  # the test editors'


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


def admin_url(model, view, *args):
    return reverse(f"admin:timeline_{model._meta.model_name}_{view}", args=args)


def new_event_data(*, sources=(), places=(), roles=(), statements=(), **fields) -> dict:
    data = {
        "title": "Foreign ministers meet in Brussels",
        "slug": "foreign-ministers-meet-in-brussels",
        "summary": "The two foreign ministers met, according to the source.",
        "kind": "meeting",
        "status": "happened",
        "publication": "draft",
        "date_start": "2023-05-01",
        "date_end": "",
        "date_precision": "day",
        "date_note": "",
        "places": [place.pk for place in places],
        "sources": [source.pk for source in sources],
    }
    data.update(fields)
    data.update(formset("roles", [{"actor": a.pk, "role": role} for a, role in roles]))
    data.update(formset("statements", list(statements)))
    for prefix in ("points", "links_out", "quantities", "corrections"):  # none of these
        data.update(formset(prefix, []))
    return data


def statement_row(speaker, source, text, mode="reported", speech_act="urges") -> dict:
    return {
        "speaker": speaker.pk,
        "source": source.pk,
        "text": text,
        "mode": mode,
        "speech_act": speech_act,
        "dating": "occasion",
    }
