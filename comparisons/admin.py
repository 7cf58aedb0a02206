from django.contrib import admin

from workflow.admin import ContentAdmin, PartAdmin, ReviewDueFilter

from .models import Comparison, ComparisonPoint, ComparisonTreatment, FaqEntry


class ComparisonTreatmentInline(admin.StackedInline):
    model = ComparisonTreatment
    extra = 0
    autocomplete_fields = ["treatment", "references"]


class ComparisonPointInline(admin.StackedInline):
    model = ComparisonPoint
    extra = 0
    autocomplete_fields = ["references"]
    prepopulated_fields = {"slug": ["heading"]}


@admin.register(Comparison)
class ComparisonAdmin(ContentAdmin):
    list_display = ["title", "indication", "status", "last_reviewed", "next_review_due"]
    list_filter = ["status", ReviewDueFilter, "indication"]
    search_fields = ["title", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["references"]
    inlines = [ComparisonTreatmentInline, ComparisonPointInline]
    list_select_related = ["indication"]


@admin.register(ComparisonPoint)
class ComparisonPointAdmin(PartAdmin):
    list_display = ["heading", "comparison", "kind", "sort_order"]
    list_filter = ["comparison", "kind"]
    search_fields = ["heading", "body"]
    autocomplete_fields = ["references"]
    prepopulated_fields = {"slug": ["heading"]}
    list_select_related = ["comparison"]


@admin.register(FaqEntry)
class FaqEntryAdmin(ContentAdmin):
    list_display = ["question", "topic", "treatment", "status", "sort_order"]
    list_filter = ["status", "topic", "treatment"]
    search_fields = ["question", "answer"]
    prepopulated_fields = {"slug": ["question"]}
    autocomplete_fields = ["references"]
    list_select_related = ["treatment"]
