"""The public URLs. The admin's are in karabakh/urls.py."""

from django.urls import path

from timeline import statement_lists as lists
from timeline import views

app_name = "timeline"

urlpatterns = [
    path("", views.chronology, name="chronology"),
    path("events.json", views.events_json, name="events-json"),
    path("events.csv", views.events_csv, name="events-csv"),
    path("events.atom", views.events_atom, name="events-atom"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>.json", views.event_json, name="event-json"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("statements/<slug:uid>/", views.statement_detail, name="statement"),
    path("statements/", lists.statement_list, {"name": "statements"}, name="statements"),
    path(
        "statements.json", lists.statement_list_json, {"name": "statements"}, name="statements-json"
    ),
    path("statements.csv", lists.statement_list_csv, {"name": "statements"}, name="statements-csv"),
    path(
        "statements.atom", lists.statement_list_atom, {"name": "statements"}, name="statements-atom"
    ),
    path("commitments/", lists.statement_list, {"name": "commitments"}, name="commitments"),
    path(
        "commitments.json",
        lists.statement_list_json,
        {"name": "commitments"},
        name="commitments-json",
    ),
    path(
        "commitments.csv", lists.statement_list_csv, {"name": "commitments"}, name="commitments-csv"
    ),
    path(
        "commitments.atom",
        lists.statement_list_atom,
        {"name": "commitments"},
        name="commitments-atom",
    ),
    path("actors/", views.directory, {"name": "actors"}, name="actors"),
    path("actors.json", views.directory_json, {"name": "actors"}, name="actors-json"),
    path("places/", views.directory, {"name": "places"}, name="places"),
    path("places.json", views.directory_json, {"name": "places"}, name="places-json"),
    path("sources/", views.directory, {"name": "sources"}, name="sources"),
    path("sources.json", views.directory_json, {"name": "sources"}, name="sources-json"),
    path("choose/<slug:name>/", views.choices, name="choices"),
    path("about/", views.about, name="about"),
    path("data/", views.data, name="data"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap-section"),
]
