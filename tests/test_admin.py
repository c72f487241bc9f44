import pytest
from django.contrib import admin
from django.urls import reverse

from timeline.models import Actor, Event, Place, Source, Statement

pytestmark = pytest.mark.django_db

MODELS = [Event, Actor, Place, Source, Statement]


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_registered_in_the_admin(model):
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", MODELS)
def test_every_admin_list_opens_for_staff_with_the_real_data(admin_client, seeded, model):
    url = reverse(f"admin:timeline_{model._meta.model_name}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0
