from django.contrib import admin

from workflow.admin import ContentAdmin, PartAdmin, ReviewDueFilter

from .models import (
    Caution,
    Indication,
    Ingredient,
    ProfileCitation,
    Reference,
    SideEffect,
    Treatment,
    TreatmentIndication,
)

admin.site.site_header = "Treatment comparison: content admin"
admin.site.site_title = "Content admin"
admin.site.index_title = "Keep the patient content right"


class IngredientInline(admin.TabularInline):
    model = Ingredient
    extra = 0


class SideEffectInline(admin.StackedInline):
    model = SideEffect
    extra = 0
    autocomplete_fields = ["references"]


class CautionInline(admin.TabularInline):
    model = Caution
    extra = 0
    autocomplete_fields = ["references"]


class TreatmentIndicationInline(admin.StackedInline):
    model = TreatmentIndication
    extra = 0
    autocomplete_fields = ["references"]


class ProfileCitationInline(admin.TabularInline):
    model = ProfileCitation
    extra = 0
    autocomplete_fields = ["reference"]
    verbose_name = "citation"
    verbose_name_plural = "citations for the profile"


@admin.register(Treatment)
class TreatmentAdmin(ContentAdmin):
    list_display = [
        "name",
        "short_name",
        "how_used",
        "source",
        "cost_tier",
        "status",
        "last_reviewed",
        "next_review_due",
    ]
    list_filter = ["status", ReviewDueFilter, "how_used", "source", "cost_tier"]
    search_fields = ["name", "short_name", "summary", "how_it_works"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [
        IngredientInline,
        SideEffectInline,
        CautionInline,
        TreatmentIndicationInline,
        ProfileCitationInline,
    ]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "summary", "sort_order"]}),
        ("What it is", {"fields": ["how_it_works", "how_used", "what_is_injected", "source"]}),
        (
            "What a session is like",
            {
                "fields": [
                    "session_steps",
                    ("session_minutes_min", "session_minutes_max"),
                    "numbing",
                    ("downtime_days_min", "downtime_days_max"),
                ]
            },
        ),
        ("Cost", {"fields": ["cost_tier", "cost_notes"]}),
        ("What living with it is like", {"fields": ["living_with"]}),
        ("Publishing and review", {"fields": ["status", "last_reviewed", "next_review_due", "reviewed_by"]}),
    ]


@admin.register(Indication)
class IndicationAdmin(ContentAdmin):
    list_display = ["name", "slug", "sort_order", "status"]
    search_fields = ["name", "summary", "what_it_is", "causes", "natural_course"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["what_it_is_references", "causes_references", "natural_course_references"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "sort_order"]}),
        (
            "About this concern (opens its comparison)",
            {
                "description": "What it is, its usual causes and what happens without treatment, each with the "
                "sources that back it. Leave a part blank to leave it off the page.",
                "fields": [
                    "what_it_is",
                    "what_it_is_references",
                    "causes",
                    "causes_references",
                    "natural_course",
                    "natural_course_references",
                ],
            },
        ),
        ("Publishing", {"fields": ["status"]}),
    ]


@admin.register(TreatmentIndication)
class TreatmentIndicationAdmin(PartAdmin):
    list_display = ["treatment", "indication", "evidence_strength"]
    list_filter = ["treatment", "indication", "evidence_strength"]
    search_fields = ["treatment__name", "indication__name", "evidence_summary", "notes"]
    autocomplete_fields = ["references"]
    list_select_related = ["treatment", "indication"]


@admin.register(SideEffect)
class SideEffectAdmin(PartAdmin):
    list_display = ["name", "treatment", "frequency", "duration", "is_serious"]
    list_filter = ["treatment", "frequency", "is_serious"]
    search_fields = ["name", "notes"]
    autocomplete_fields = ["references"]
    list_select_related = ["treatment"]


@admin.register(Caution)
class CautionAdmin(PartAdmin):
    list_display = ["name", "treatment", "kind"]
    list_filter = ["treatment", "kind"]
    search_fields = ["name"]
    autocomplete_fields = ["references"]
    list_select_related = ["treatment"]


@admin.register(Ingredient)
class IngredientAdmin(PartAdmin):
    list_display = ["name", "treatment", "from_patient"]
    list_filter = ["treatment", "from_patient"]
    search_fields = ["name", "purpose"]
    list_select_related = ["treatment"]


@admin.register(Reference)
class ReferenceAdmin(ContentAdmin):
    list_display = ["key", "authors", "year", "study_type", "participants", "publisher", "status"]
    list_filter = ["study_type", "year"]
    search_fields = ["key", "authors", "title", "publisher", "pmid", "doi"]
    prepopulated_fields = {"key": ["title"]}
