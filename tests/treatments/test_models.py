import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import make_treatment, make_treatment_indication
from treatments.models import Caution, Reference, SideEffect, Treatment

pytestmark = pytest.mark.django_db


def assert_rejected_by_database(save):
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


def test_session_length_range_must_not_run_backwards():
    treatment = make_treatment()
    treatment.session_minutes_min, treatment.session_minutes_max = 60, 30
    with pytest.raises(ValidationError, match="must not be more than"):
        treatment.full_clean()
    assert_rejected_by_database(treatment.save)


def test_indication_ranges_must_not_run_backwards():
    link = make_treatment_indication(make_treatment())
    link.weeks_between_sessions_min, link.weeks_between_sessions_max = 6, 2
    with pytest.raises(ValidationError):
        link.full_clean()
    assert_rejected_by_database(link.save)


def test_optional_range_needs_both_ends_or_neither():
    link = make_treatment_indication(make_treatment())
    link.results_last_months_min, link.results_last_months_max = 6, None
    with pytest.raises(ValidationError):
        link.full_clean()
    assert_rejected_by_database(link.save)

    link.results_last_months_min = None
    link.full_clean()
    link.save()


def test_review_cannot_be_due_before_the_last_review():
    treatment = make_treatment()
    treatment.next_review_due = treatment.last_reviewed.replace(year=treatment.last_reviewed.year - 1)
    with pytest.raises(ValidationError, match="next review"):
        treatment.full_clean()
    assert_rejected_by_database(treatment.save)


@pytest.mark.parametrize(
    ("field", "value"),
    [("cost_tier", 7), ("source", "unicorn_tears"), ("status", "half-done")],
)
def test_unknown_choices_are_rejected(field, value):
    treatment = make_treatment()
    setattr(treatment, field, value)
    with pytest.raises(ValidationError):
        treatment.full_clean()
    assert_rejected_by_database(treatment.save)


def test_unknown_side_effect_frequency_is_rejected():
    side_effect = SideEffect(treatment=make_treatment(), name="Itch", frequency=6, duration="A day")
    with pytest.raises(ValidationError):
        side_effect.full_clean()
    assert_rejected_by_database(side_effect.save)


def test_unknown_study_type_is_rejected():
    reference = Reference(key="x-2020", year=2020, title="X", publisher="Y", study_type="horoscope", finding="None")
    assert_rejected_by_database(reference.save)


def test_duplicate_slugs_are_rejected():
    make_treatment(slug="same")
    duplicate = Treatment(slug="same")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "slug" in error.value.message_dict
    assert_rejected_by_database(lambda: make_treatment(slug="same"))


def test_a_treatment_lists_each_caution_once():
    treatment = make_treatment()
    Caution.objects.create(treatment=treatment, kind="should_not", name="You are pregnant")
    assert_rejected_by_database(
        lambda: Caution.objects.create(treatment=treatment, kind="should_not", name="You are pregnant")
    )


def test_cost_tiers_are_ordered_from_lower_to_higher():
    tiers = list(Treatment.CostTier)
    assert [tier.label for tier in tiers] == [
        "Lower cost",
        "Middle cost",
        "Higher cost",
        "Cost not known: no source gives a UK price",
    ]
    assert tiers == sorted(tiers)


def test_natural_keys_round_trip():
    treatment = Treatment.objects.get_by_natural_key("prp")
    assert treatment.natural_key() == ("prp",)
    side_effect = treatment.side_effects.first()
    assert SideEffect.objects.get_by_natural_key(*side_effect.natural_key()) == side_effect
