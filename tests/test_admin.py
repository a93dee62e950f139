"""Every model registered in the admin opens (list and add or change page) for a superuser; others are refused."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.invalid", "pw-root-9"))
    return client


def test_every_registered_model_lists(admin_client, bank_loaded):
    names = []
    for model in admin.site._registry:
        meta = model._meta
        response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert response.status_code == 200, meta.label
        names.append(meta.label)
    assert {"bank.Card", "study.StudyReview", "exams.Interview", "exams.Quiz", "demos.DemoRun"} <= set(names)


def test_card_change_page_opens(admin_client, bank_loaded):
    from quiz.bank.models import Card

    card = Card.objects.first()
    assert admin_client.get(reverse("admin:bank_card_change", args=[card.pk])).status_code == 200


def test_a_learner_cannot_open_the_admin(user_client):
    response = user_client.get(reverse("admin:study_studyreview_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
