from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from timeline.models import Actor, Event, Source, Statement


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_GET
def chronology(request: HtmxHttpRequest) -> TemplateResponse:
    events = Event.objects.visible_to(None).chronological().with_listing_details()
    return TemplateResponse(request, "timeline/chronology.html", {"events": events})


@require_GET
def event_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    event = get_object_or_404(Event.objects.visible_to(request.user), slug=slug)
    statements = event.statements.select_related("speaker", "source").in_source_order()
    return TemplateResponse(
        request, "timeline/event.html", {"event": event, "statements": statements}
    )


@require_GET
def actor_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    actor = get_object_or_404(Actor.objects.select_related("affiliation"), slug=slug)
    statements = (
        Statement.objects.published()
        .filter(speaker=actor)
        .select_related("event", "source")
        .order_by("event__date_start", "start")
    )
    return TemplateResponse(
        request, "timeline/actor.html", {"actor": actor, "statements": statements}
    )


@require_GET
def source_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    source = get_object_or_404(Source, slug=slug)
    return TemplateResponse(request, "timeline/source.html", {"source": source})
