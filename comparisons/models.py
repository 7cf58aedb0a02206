"""Presentation: comparison pages and the FAQ, built from the facts in `treatments`."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from treatments.models import Indication, Reference, Treatment
from workflow.models import Publishable, Reviewed, Status, choice_constraint, review_constraints


class Comparison(Reviewed):
    moderated_parts = ("columns", "points")
    patient_text_fields = ("introduction",)

    title = models.CharField(max_length=200, help_text="Page title, for example 'Mesotherapy or PRP for hair loss?'.")
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Used in web addresses. Lower case, words joined by hyphens."
    )
    introduction = models.TextField(
        help_text="Two or three plain sentences: what decision this page helps with, and for whom."
    )
    indication = models.ForeignKey(
        Indication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comparisons",
        help_text="The concern this comparison starts on. Leave blank to let patients choose.",
    )
    treatments = models.ManyToManyField(
        Treatment,
        through="ComparisonTreatment",
        related_name="comparisons",
        help_text="The treatments shown side by side, edited below.",
    )
    references = models.ManyToManyField(
        Reference, blank=True, related_name="comparisons", help_text="General sources for the page."
    )
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["sort_order", "title"]
        constraints = review_constraints("comparison")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("comparisons:detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class ComparisonTreatmentManager(models.Manager):
    def get_by_natural_key(self, comparison_slug, treatment_slug):
        return self.get(comparison__slug=comparison_slug, treatment__slug=treatment_slug)


class ComparisonTreatment(models.Model):
    """One treatment's column in a comparison, and who it may suit."""

    patient_text_fields = ("may_suit_you_if",)

    comparison = models.ForeignKey(
        Comparison, on_delete=models.CASCADE, related_name="columns", help_text="The comparison page."
    )
    treatment = models.ForeignKey(
        Treatment,
        on_delete=models.PROTECT,
        related_name="comparison_columns",
        help_text="The treatment shown in this column.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Column order: lower numbers appear further left.")
    may_suit_you_if = models.TextField(
        help_text="Plain sentences, one per line, describing who this treatment may suit. Avoid promises."
    )
    references = models.ManyToManyField(
        Reference, blank=True, related_name="comparison_columns", help_text="Sources for 'may suit you if'."
    )

    objects = ComparisonTreatmentManager()
    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "treatment in this comparison"
        verbose_name_plural = "treatments in this comparison"
        constraints = [
            models.UniqueConstraint(fields=["comparison", "treatment"], name="comparison_treatment_unique"),
        ]

    def __str__(self):
        return f"{self.treatment} in {self.comparison}"

    def natural_key(self):
        return (*self.comparison.natural_key(), *self.treatment.natural_key())

    natural_key.dependencies = ["comparisons.comparison", "treatments.treatment"]


class ComparisonPointManager(models.Manager):
    def get_by_natural_key(self, comparison_slug, slug):
        return self.get(comparison__slug=comparison_slug, slug=slug)


class PointKind(models.TextChoices):
    KEY_DIFFERENCE = "key_difference", "Key difference"
    COMBINING = "combining", "Combining both"
    OTHER_OPTION = "other_option", "Other options"
    DOING_NOTHING = "doing_nothing", "Doing nothing"
    QUESTION = "question", "Question to ask your practitioner"


class ComparisonPoint(models.Model):
    """A short section of a comparison page: a key difference, combining both, other
    options, doing nothing, or a question to ask the practitioner."""

    patient_text_fields = ("body",)

    Kind = PointKind

    comparison = models.ForeignKey(
        Comparison, on_delete=models.CASCADE, related_name="points", help_text="The comparison page."
    )
    kind = models.CharField(max_length=20, choices=Kind, help_text="Which section of the page this appears in.")
    slug = models.SlugField(
        max_length=80, help_text="A short label, unique within this comparison. Lower case, words joined by hyphens."
    )
    heading = models.CharField(max_length=200, help_text="A short heading, for example 'What is injected'.")
    body = models.TextField(help_text="Plain sentences. Keep each under 20 words where you can.")
    references = models.ManyToManyField(
        Reference, blank=True, related_name="comparison_points", help_text="Sources that back this point."
    )
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    objects = ComparisonPointManager()
    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["kind", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comparison", "slug"], name="comparison_point_unique_slug"),
            choice_constraint("comparison_point", "kind", PointKind),
        ]

    def __str__(self):
        return self.heading

    def natural_key(self):
        return (*self.comparison.natural_key(), self.slug)

    natural_key.dependencies = ["comparisons.comparison"]


class FaqTopic(models.TextChoices):
    BASICS = "basics", "The basics"
    RESULTS = "results", "Results"
    SAFETY = "safety", "Safety and side effects"
    SESSIONS = "sessions", "Sessions and cost"
    HAIR_LOSS = "hair_loss", "Hair loss"
    CHOOSING = "choosing", "Choosing a treatment"


class FaqEntry(Publishable):
    patient_text_fields = ("answer",)

    Topic = FaqTopic

    question = models.CharField(max_length=250, help_text="The question as a patient would ask it.")
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Used as the link to this question. Lower case, words joined by hyphens."
    )
    answer = models.TextField(help_text="A plain, honest answer. Say where the evidence is weak.")
    topic = models.CharField(max_length=20, choices=Topic, help_text="The group this question is listed under.")
    treatment = models.ForeignKey(
        Treatment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faq_entries",
        help_text="Only if the question is about one treatment.",
    )
    references = models.ManyToManyField(
        Reference, blank=True, related_name="faq_entries", help_text="Sources for the answer."
    )
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first within a topic.")
    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["topic", "sort_order", "pk"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            choice_constraint("faq_entry", "topic", FaqTopic),
            choice_constraint("faq_entry", "status", Status),
        ]

    def __str__(self):
        return self.question

    def natural_key(self):
        return (self.slug,)
