"""``{% url %}`` reverses an address without arguments once per process, but never
gives one script prefix's address under another, and reverses the others as Django
does (timeline/templatetags/urls.py)."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, set_script_prefix


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.fixture
def prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_an_address_follows_the_script_prefix_it_is_served_under(prefix):
    assert render("{% url 'timeline:about' %}") == "/about/"
    prefix("/timeline/")
    assert render("{% url 'timeline:about' %}") == "/timeline/about/"
    prefix("/")
    assert render("{% url 'timeline:about' %}") == "/about/"


def test_addresses_with_arguments_or_kept_as_a_variable_are_reversed_as_django_does():
    assert render("{% url 'timeline:actor' 'aliyev' %}") == "/actors/aliyev/"
    assert render("{% url 'timeline:nowhere' as found %}[{{ found }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'timeline:nowhere' %}")
