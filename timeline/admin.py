from django.contrib import admin

from timeline.models import Actor, Event, EventActor, Place, Source, Statement


class EventActorInline(admin.TabularInline):
    model = EventActor
    autocomplete_fields = ["actor"]
    extra = 1


class StatementInline(admin.StackedInline):
    model = Statement
    autocomplete_fields = ["speaker", "addressees", "source"]
    readonly_fields = ["start", "end"]
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["date_start", "title", "kind", "status", "publication"]
    list_filter = ["publication", "kind", "status", "date_precision"]
    search_fields = ["title", "summary"]
    date_hierarchy = "date_start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["places", "sources"]
    inlines = [EventActorInline, StatementInline]


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "office", "affiliation"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "office"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["affiliation"]
    list_select_related = ["affiliation"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["slug", "outlet", "headline", "published", "origin"]
    list_filter = ["origin", "kind", "language"]
    search_fields = ["slug", "outlet", "headline", "relays"]
    date_hierarchy = "published"


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mode", "speech_act", "source", "event"]
    list_filter = ["mode", "speech_act", "source"]
    search_fields = ["text", "speaker__name"]
    autocomplete_fields = ["speaker", "addressees", "source", "event"]
    readonly_fields = ["start", "end"]
    list_select_related = ["speaker", "source", "event"]
