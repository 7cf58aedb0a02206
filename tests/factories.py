"""Small explicit helpers that build valid objects; override what a test cares about."""

import datetime

from treatments.models import Indication, Treatment, TreatmentIndication


def make_treatment(**overrides):
    n = Treatment.objects.count() + 1
    fields = {
        "name": f"Test treatment {n}",
        "short_name": f"Test {n}",
        "slug": f"test-treatment-{n}",
        "summary": "A treatment made up for a test.",
        "how_it_works": "It is made up.",
        "what_is_injected": "Nothing real.",
        "source": Treatment.Source.ADDED_PRODUCTS,
        "session_steps": "None.",
        "session_minutes_min": 10,
        "session_minutes_max": 20,
        "numbing": "None.",
        "downtime_days_min": 0,
        "downtime_days_max": 1,
        "cost_tier": Treatment.CostTier.MIDDLE,
        "cost_notes": "Made up.",
        "status": "published",
        "last_reviewed": datetime.date(2026, 1, 1),
        "next_review_due": datetime.date(2027, 1, 1),
        "reviewed_by": "Test reviewer",
    }
    fields.update(overrides)
    return Treatment.objects.create(**fields)


def make_treatment_indication(treatment, indication=None, **overrides):
    fields = {
        "first_course_sessions_min": 3,
        "first_course_sessions_max": 4,
        "weeks_between_sessions_min": 2,
        "weeks_between_sessions_max": 4,
        "evidence_strength": 3,
        "evidence_summary": "Made up for a test.",
    }
    fields.update(overrides)
    return TreatmentIndication.objects.create(
        treatment=treatment, indication=indication or Indication.objects.get(slug="hair-loss"), **fields
    )
