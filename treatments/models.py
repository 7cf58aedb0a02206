"""The content catalogue: treatments, what they are made of, their harms, and the
evidence behind every claim. `comparisons` builds its pages from these facts."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from workflow.models import Publishable, PublishedQuerySet, Reviewed, Status, choice_constraint, review_constraints

from .presentation import Citation, span


def optional_choice_constraint(model_name, field, choices):
    """Like `choice_constraint`, for a choice that may be left blank."""
    return models.CheckConstraint(
        condition=Q(**{field: ""}) | Q(**{f"{field}__in": choices.values}),
        name=f"{model_name}_{field}_known",
    )


def per_100_constraint(model_name, field):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": 100}),
        name=f"{model_name}_{field}_at_most_100",
        violation_error_message="A number out of 100 cannot be more than 100.",
    )


def range_constraints(model_name, prefix, *, required=True):
    """Check constraints for a `<prefix>_min` / `<prefix>_max` pair: min <= max, and
    (for optional ranges) either both ends set or neither."""
    low, high = f"{prefix}_min", f"{prefix}_max"
    ordered = Q(**{f"{low}__lte": F(high)})
    if not required:
        both_empty = Q(**{f"{low}__isnull": True, f"{high}__isnull": True})
        ordered = both_empty | (Q(**{f"{low}__isnull": False, f"{high}__isnull": False}) & ordered)
    return [
        models.CheckConstraint(
            condition=ordered,
            name=f"{model_name}_{prefix}_min_lte_max",
            violation_error_message=f"The lowest {prefix.replace('_', ' ')} must not be more than the highest.",
        )
    ]


class StudyType(models.TextChoices):
    META_ANALYSIS = "meta_analysis", "Meta-analysis (pools several studies)"
    SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
    RANDOMISED_TRIAL = "randomised_trial", "Randomised trial"
    UNCONTROLLED_STUDY = "uncontrolled_study", "Study with no comparison group"
    RETROSPECTIVE_STUDY = "retrospective_study", "Retrospective study (looks back at records)"
    CASE_REPORT = "case_report", "Case reports"
    REVIEW = "review", "Review"
    GUIDELINE = "guideline", "Guideline or official advice"
    OFFICIAL_REPORT = "official_report", "Public health investigation"
    CLINIC_ARTICLE = "clinic_article", "Clinic or press article (not a study)"


# What a citation shows of its source (treatments.presentation.numbered): all a page fetches of the sources
# behind a comparison table or a profile, however many there are.
CITED_FIELDS = ("id", "key", "title")


class ReferenceQuerySet(PublishedQuerySet):
    def get_by_natural_key(self, key):
        return self.get(key=key)

    def cited(self):
        """Sources as a citation shows them (number, key, title): for prefetching the sources behind a page's
        claims without their long fields, `Prefetch("references", queryset=Reference.objects.cited())`."""
        return self.only(*CITED_FIELDS)

    def citation_numbers(self):
        """The number each source is cited by, the same on every page: its place in the
        reference list."""
        numbered = self.published().order_by("year", "key").values_list("pk", flat=True)
        return {pk: number for number, pk in enumerate(numbered, 1)}


class Reference(Publishable):
    patient_text_fields = ("finding", "caveat")

    StudyType = StudyType

    key = models.SlugField(
        max_length=80,
        unique=True,
        help_text="A short label used to cite this source, for example 'alam-2018'. Lower case, no spaces.",
    )
    authors = models.CharField(
        max_length=300,
        blank=True,
        help_text="Authors as printed, for example 'Alam M, et al.'. Leave blank for an organisation's web page.",
    )
    year = models.PositiveSmallIntegerField(help_text="Year of publication.")
    title = models.CharField(max_length=400, help_text="Full title of the paper or page.")
    publisher = models.CharField(
        max_length=200,
        help_text="Journal name (with volume and pages if known) or the organisation that published it.",
    )
    url = models.URLField(
        max_length=500, blank=True, help_text="Link to the paper or page, ideally PubMed or the publisher."
    )
    pmid = models.CharField(
        "PubMed ID", max_length=12, blank=True, help_text="The number in the PubMed link, if there is one."
    )
    doi = models.CharField(
        "DOI",
        max_length=120,
        blank=True,
        help_text="Digital object identifier, for example '10.1001/jamadermatol.2018.3977'.",
    )
    study_type = models.CharField(
        max_length=30, choices=StudyType, help_text="What kind of evidence this is. Pick the closest match."
    )
    participants = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How many people were studied. Leave blank if it does not apply or is not known.",
    )
    finding = models.TextField(help_text="In one or two plain sentences: what this source found, including its limits.")
    caveat = models.CharField(
        max_length=300,
        blank=True,
        help_text="Anything patients should know about this source, for example 'Only the summary was read' or 'Co-written by the product's maker'.",
    )

    objects = ReferenceQuerySet.as_manager()
    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["year", "key"]
        constraints = [
            choice_constraint("reference", "study_type", StudyType),
            choice_constraint("reference", "status", Status),
            models.CheckConstraint(condition=Q(year__gte=1900, year__lte=2100), name="reference_year_plausible"),
        ]

    def __str__(self):
        return f"{self.key}: {self.title}"

    def natural_key(self):
        return (self.key,)

    @property
    def link(self):
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url


class Indication(Publishable):
    """A concern that patients bring: hair loss, facial skin, and so on.

    Its comparison opens with what the concern is, its usual causes and what happens without treatment
    (IPDAS: describe the condition and its natural course before the options), each with its sources."""

    patient_text_fields = ("summary", "what_it_is", "causes", "natural_course")

    # (heading patients read, text field, field of its sources), in the order the comparison shows them
    ABOUT_PARTS = (
        ("What it is", "what_it_is", "what_it_is_references"),
        ("Usual causes", "causes", "causes_references"),
        ("What happens without treatment", "natural_course", "natural_course_references"),
    )

    name = models.CharField(
        max_length=100, unique=True, help_text="Plain name patients would use, for example 'Hair loss'."
    )
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Used in web addresses. Lower case, words joined by hyphens."
    )
    summary = models.TextField(help_text="One or two plain sentences about this concern and who has it.")
    what_it_is = models.TextField(
        "what it is",
        blank=True,
        help_text="What this concern is and how common it is, in two or three plain sentences. Give numbers as "
        "'about N in 100 people' and say how sure the source is.",
    )
    what_it_is_references = models.ManyToManyField(
        Reference, blank=True, related_name="indications_described", help_text="Sources for 'What it is'."
    )
    causes = models.TextField(
        "usual causes",
        blank=True,
        help_text="What usually causes it, in plain words. If the sources do not say, write that they do not.",
    )
    causes_references = models.ManyToManyField(
        Reference, blank=True, related_name="indications_caused", help_text="Sources for the causes."
    )
    natural_course = models.TextField(
        "what happens without treatment",
        blank=True,
        help_text="The natural course: what usually happens if nothing is done. Say so if no study has looked.",
    )
    natural_course_references = models.ManyToManyField(
        Reference,
        blank=True,
        related_name="indications_natural_course",
        help_text="Sources for what happens without treatment.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [choice_constraint("indication", "status", Status)]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def about(self):
        """The 'About this concern' parts that have text, each with its sources numbered as in the reference
        list: [{"heading", "text", "citations"}]. One query for all three parts: the published sources in
        reference-list order (as `Reference.objects.citation_numbers()` numbers them), each flagged with the
        parts that cite it."""
        parts = [(heading, getattr(self, text), refs) for heading, text, refs in self.ABOUT_PARTS]
        parts = [part for part in parts if part[1].strip()]
        if not parts or self.pk is None:
            return [{"heading": heading, "text": text, "citations": []} for heading, text, _ in parts]
        flags = {
            refs: models.Exists(
                getattr(Indication, refs).through.objects.filter(
                    indication_id=self.pk, reference_id=models.OuterRef("pk")
                )
            )
            for _, _, refs in parts
        }
        cited = {refs: [] for refs in flags}
        rows = Reference.objects.published().order_by("year", "key").annotate(**flags).values("key", "title", *flags)
        for number, row in enumerate(rows, 1):
            for refs in flags:
                if row[refs]:
                    cited[refs].append(Citation(number, row["key"], row["title"]))
        return [{"heading": heading, "text": text, "citations": cited[refs]} for heading, text, refs in parts]

    @property
    def has_about(self):
        """Whether any 'About this concern' part has text (no query)."""
        return any(getattr(self, text).strip() for _, text, _ in self.ABOUT_PARTS)

    @cached_property
    def about_parts(self):
        """`about()`, fetched once per object, for templates."""
        return self.about()


class TreatmentQuerySet(PublishedQuerySet):
    def for_comparison(self, indication=None):
        """Everything a comparison table or profile shows, in a fixed number of queries.
        With an indication, only that concern's schedule and evidence are fetched."""
        cited = models.Prefetch("references", queryset=Reference.objects.cited())
        links = (
            TreatmentIndication.objects.filter(indication__status=Status.PUBLISHED)
            .select_related("indication", "benefit_source")
            .prefetch_related(cited)
        )
        if indication is not None:
            links = links.filter(indication=indication)
        return self.prefetch_related(
            "ingredients",
            models.Prefetch(
                "side_effects", queryset=SideEffect.objects.select_related("rate_source").prefetch_related(cited)
            ),
            models.Prefetch("cautions", queryset=Caution.objects.prefetch_related(cited)),
            models.Prefetch("indication_links", queryset=links),
            models.Prefetch(
                "citations",
                queryset=ProfileCitation.objects.select_related("reference").only(
                    "treatment", "topic", *(f"reference__{name}" for name in CITED_FIELDS)
                ),
            ),
        )


class HowUsed(models.TextChoices):
    """How an option is given. Only options given in sessions have a session length, a course and a timeline."""

    INJECTION_SESSIONS = "injection_sessions", "Injections at a clinic, in sessions"
    CLINIC_SESSIONS = "clinic_sessions", "Put on the skin at a clinic, in sessions"
    DAILY_AT_HOME = "daily_at_home", "Used every day at home"
    NOTHING = "nothing", "Nothing is used"

    @classmethod
    def in_sessions(cls):
        return [cls.INJECTION_SESSIONS, cls.CLINIC_SESSIONS]


class InjectedSource(models.TextChoices):
    OWN_BLOOD = "own_blood", "Made from your own blood"
    ADDED_PRODUCTS = "added_products", "Products made outside your body"
    NOT_INJECTED = "not_injected", "Not injected"


class CostTier(models.IntegerChoices):
    LOWER = 1, "Lower cost"
    MIDDLE = 2, "Middle cost"
    HIGHER = 3, "Higher cost"
    NOT_KNOWN = 9, "Cost not known: no source gives a UK price"


# The same words for every option that has no sessions, and wherever a fact is not known.
NO_SESSIONS = "No sessions."
NOT_KNOWN = "Not known: no study we found has measured this."
DOES_NOT_APPLY = "Does not apply: no treatment is given."
WHILE_USED = "Only while you keep using it."


class Treatment(Reviewed):
    moderated_parts = ("ingredients", "side_effects", "cautions", "indication_links", "citations")
    patient_text_fields = (
        "summary",
        "how_it_works",
        "what_is_injected",
        "session_steps",
        "numbing",
        "cost_notes",
        "living_with",
    )

    Source = InjectedSource
    CostTier = CostTier
    HowUsed = HowUsed

    name = models.CharField(
        max_length=100, unique=True, help_text="The name patients know it by, for example 'PRP (platelet-rich plasma)'."
    )
    short_name = models.CharField(max_length=30, help_text="A short name for table headings, for example 'PRP'.")
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Used in web addresses. Lower case, words joined by hyphens."
    )
    summary = models.CharField(max_length=250, help_text="One plain sentence saying what it is.")
    how_it_works = models.TextField(
        help_text="How it is meant to work, in plain words. Say what is proven and what is only a theory."
    )
    what_is_injected = models.TextField(help_text="What goes into the skin and where it comes from.")
    how_used = models.CharField(
        max_length=20,
        choices=HowUsed,
        default=HowUsed.INJECTION_SESSIONS,
        help_text="How it is given. Only options given in sessions at a clinic have a session length, a first "
        "course and a timeline.",
    )
    source = models.CharField(
        max_length=20,
        choices=Source,
        help_text="Whether what is injected comes from the patient's own body or is an added product. Choose "
        "'Not injected' for anything that is not an injection.",
    )
    session_steps = models.TextField(
        help_text="What happens at a session, step by step, as a patient would experience it."
    )
    session_minutes_min = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Shortest usual session, in minutes. Leave both blank if no source gives it, or if there are no "
        "sessions.",
    )
    session_minutes_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Longest usual session, in minutes."
    )
    numbing = models.CharField(
        max_length=250, help_text="Whether numbing cream or anaesthetic is used, and how much it hurts."
    )
    downtime_days_min = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Fewest days before most people feel fine to be seen in public. Leave both blank if no source "
        "gives it, or if there are no sessions.",
    )
    downtime_days_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most days before most people feel fine to be seen in public."
    )
    cost_tier = models.PositiveSmallIntegerField(
        choices=CostTier,
        help_text="Rough cost compared with the other treatments. Choose 'Cost not known' unless a source gives "
        "a price.",
    )
    cost_notes = models.TextField(
        help_text="What affects the price, and how sure we are. Do not give prices without a dated source."
    )
    living_with = models.TextField(
        "what living with it is like",
        blank=True,
        help_text="What going through this option is like, from sources, in the same order for every option: "
        "what you see after each use and for how long; the chance that nothing changes; what a serious problem "
        "such as an infection means in practice; the time and money of keeping it up, and what happens if you "
        "stop. Where something was not measured, say 'has not been measured'.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    objects = TreatmentQuerySet.as_manager()
    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            *range_constraints("treatment", "session_minutes", required=False),
            *range_constraints("treatment", "downtime_days", required=False),
            choice_constraint("treatment", "how_used", HowUsed),
            choice_constraint("treatment", "source", InjectedSource),
            models.CheckConstraint(
                condition=(Q(how_used=HowUsed.INJECTION_SESSIONS) & ~Q(source=InjectedSource.NOT_INJECTED))
                | (~Q(how_used=HowUsed.INJECTION_SESSIONS) & Q(source=InjectedSource.NOT_INJECTED)),
                name="treatment_source_matches_how_used",
                violation_error_message="Only injections have something injected: choose 'Not injected' for "
                "anything else, and where it comes from for an injection.",
            ),
            models.CheckConstraint(
                condition=Q(how_used__in=HowUsed.in_sessions())
                | Q(session_minutes_min__isnull=True, downtime_days_min__isnull=True),
                name="treatment_no_session_length_without_sessions",
                violation_error_message="Leave session length and downtime blank for an option with no sessions.",
            ),
            choice_constraint("treatment", "cost_tier", CostTier),
            *review_constraints("treatment"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("treatments:detail", args=[self.slug])

    @property
    def in_sessions(self):
        return self.how_used in HowUsed.in_sessions()

    @property
    def is_injected(self):
        return self.source != InjectedSource.NOT_INJECTED

    @property
    def cost_known(self):
        return self.cost_tier != CostTier.NOT_KNOWN

    def session_lines(self):
        """How it is given and how long a session takes, in the same words for every option."""
        if self.how_used == HowUsed.DAILY_AT_HOME:
            return [f"{HowUsed.DAILY_AT_HOME.label}.", NO_SESSIONS]
        if self.how_used == HowUsed.NOTHING:
            return [f"{HowUsed.NOTHING.label}.", NO_SESSIONS]
        length = span(self.session_minutes_min, self.session_minutes_max, "minute")
        return [f"About {length}." if length else NOT_KNOWN]

    def downtime_line(self):
        if not self.in_sessions:
            return NO_SESSIONS
        if self.downtime_days_min is None:
            return NOT_KNOWN
        if self.downtime_days_max == 0:
            return "None."
        return f"{span(self.downtime_days_min, self.downtime_days_max, 'day')}."

    @property
    def session_length_is_estimate(self):
        return self.in_sessions and self.session_minutes_min is not None

    def natural_key(self):
        return (self.slug,)


class TreatmentPart(models.Model):
    """A row that belongs to one treatment and is edited inline with it."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, help_text="The treatment this belongs to.")
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        abstract = True
        ordering = ["sort_order", "pk"]


class PartManager(models.Manager):
    """Natural key for a treatment's part: the treatment's slug plus the part's name."""

    def get_by_natural_key(self, treatment_slug, name):
        return self.get(treatment__slug=treatment_slug, name=name)


class Ingredient(TreatmentPart):
    patient_text_fields = ("purpose",)

    treatment = models.ForeignKey(
        Treatment, on_delete=models.CASCADE, related_name="ingredients", help_text="The treatment this belongs to."
    )
    name = models.CharField(max_length=120, help_text="Name of the ingredient, for example 'Hyaluronic acid'.")
    purpose = models.CharField(max_length=300, help_text="What it is there for, in plain words.")
    from_patient = models.BooleanField(
        "from the patient's own body",
        default=False,
        help_text="Tick if it comes from the patient (for example their own plasma).",
    )

    objects = PartManager()
    history = HistoricalRecords(app="workflow")

    class Meta(TreatmentPart.Meta):
        constraints = [models.UniqueConstraint(fields=["treatment", "name"], name="ingredient_unique_per_treatment")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.treatment.natural_key(), self.name)

    natural_key.dependencies = ["treatments.treatment"]


class Frequency(models.IntegerChoices):
    VERY_COMMON = 1, "Very common (more than 10 in 100 people)"
    COMMON = 2, "Common (up to 10 in 100 people)"
    UNCOMMON = 3, "Uncommon (up to 1 in 100 people)"
    RARE = 4, "Rare (up to 1 in 1,000 people)"
    VERY_RARE = 5, "Very rare (up to 1 in 10,000 people)"
    NOT_KNOWN = 9, "Not known (reported, but no reliable rate)"


class Certainty(models.TextChoices):
    """GRADE's words for how sure we can be of a number."""

    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"
    VERY_LOW = "very_low", "Very low"


PER_100_HELP = "Leave blank unless a source gives a count or a percentage."


class SideEffect(TreatmentPart):
    patient_text_fields = ("notes", "measured_in", "certainty_reason")

    Frequency = Frequency
    Certainty = Certainty

    treatment = models.ForeignKey(
        Treatment, on_delete=models.CASCADE, related_name="side_effects", help_text="The treatment this belongs to."
    )
    name = models.CharField(max_length=120, help_text="The side effect in plain words, for example 'Bruising'.")
    frequency = models.PositiveSmallIntegerField(
        choices=Frequency,
        help_text="How common it is. Use 'Not known' when studies report it but give no reliable rate.",
    )
    duration = models.CharField(max_length=120, help_text="How long it usually lasts, for example 'A few days'.")
    is_serious = models.BooleanField(
        default=False, help_text="Tick if it can need medical treatment or leave lasting harm."
    )
    notes = models.TextField(blank=True, help_text="Anything patients should know: what to look out for, what to do.")
    people_per_100 = models.PositiveSmallIntegerField(
        "people out of 100",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="How many in 100 people had it in a study, rounded (18 of 19 is 95). " + PER_100_HELP,
    )
    measured_in = models.CharField(
        max_length=250,
        blank=True,
        help_text="What the study that gave the number tested, for example 'A trial of 19 people who had an "
        "injection in each cheek'. Needed when a number is given.",
    )
    from_needles = models.BooleanField(
        "caused by the needles",
        default=False,
        help_text="Tick if the number came from the injections, not from what was injected (for example both "
        "cheeks were injected, one with salt water). Give the same number for every treatment given by injection.",
    )
    rate_source = models.ForeignKey(
        Reference,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="side_effect_rates",
        help_text="The source of the number. Needed when a number is given.",
    )
    certainty = models.CharField(
        max_length=10,
        choices=Certainty,
        blank=True,
        help_text="How sure we can be of the number, in GRADE's words. Needed when a number is given.",
    )
    certainty_reason = models.CharField(
        "why this certainty",
        max_length=250,
        blank=True,
        help_text="Who rated it and why, for example 'Our rating: one small trial'.",
    )
    references = models.ManyToManyField(
        Reference,
        blank=True,
        related_name="side_effects",
        help_text="Sources that back this side effect and its frequency.",
    )

    objects = PartManager()
    history = HistoricalRecords(app="workflow")

    class Meta(TreatmentPart.Meta):
        ordering = ["frequency", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["treatment", "name"], name="side_effect_unique_per_treatment"),
            choice_constraint("side_effect", "frequency", Frequency),
            optional_choice_constraint("side_effect", "certainty", Certainty),
            per_100_constraint("side_effect", "people_per_100"),
            models.CheckConstraint(
                condition=Q(people_per_100__isnull=True)
                | (~Q(measured_in="") & ~Q(certainty="") & Q(rate_source__isnull=False)),
                name="side_effect_number_has_study_source_and_certainty",
                violation_error_message="A number needs what the study tested, its source and a certainty.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.treatment.natural_key(), self.name)

    natural_key.dependencies = ["treatments.treatment"]


class CautionKind(models.TextChoices):
    SHOULD_NOT = "should_not", "Who should not have it"
    TELL_PRACTITIONER = "tell_practitioner", "Tell your practitioner if..."


class Caution(TreatmentPart):
    """Who should not have the treatment, and what to tell the practitioner first."""

    patient_text_fields = ("name",)

    Kind = CautionKind

    treatment = models.ForeignKey(
        Treatment, on_delete=models.CASCADE, related_name="cautions", help_text="The treatment this belongs to."
    )
    kind = models.CharField(
        max_length=20, choices=Kind, help_text="Whether this rules the treatment out, or is something to discuss first."
    )
    name = models.CharField(
        max_length=200, help_text="Short plain statement, for example 'You are pregnant or breastfeeding'."
    )
    references = models.ManyToManyField(
        Reference, blank=True, related_name="cautions", help_text="Sources that back this."
    )

    objects = PartManager()
    history = HistoricalRecords(app="workflow")

    class Meta(TreatmentPart.Meta):
        ordering = ["kind", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["treatment", "name"], name="caution_unique_per_treatment"),
            choice_constraint("caution", "kind", CautionKind),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.treatment.natural_key(), self.name)

    natural_key.dependencies = ["treatments.treatment"]


class EvidenceStrength(models.IntegerChoices):
    SEVERAL_TRIALS_CONSISTENT = 1, "Several trials, mostly agree"
    SEVERAL_TRIALS_MIXED = 2, "Several trials, mixed results"
    SMALL_STUDIES = 3, "Small studies only"
    NO_GOOD_STUDIES = 4, "No good studies"
    ONE_LARGE_TRIAL = 5, "One large trial"


class TreatmentIndicationManager(models.Manager):
    def get_by_natural_key(self, treatment_slug, indication_slug):
        return self.get(treatment__slug=treatment_slug, indication__slug=indication_slug)


class TreatmentIndication(models.Model):
    """What a treatment is like for one concern: schedule, results and evidence."""

    patient_text_fields = (
        "evidence_summary",
        "notes",
        "benefit_estimate",
        "benefit_range",
        "benefit_compared_with",
        "benefit_time_frame",
        "benefit_certainty_reason",
        "no_number_reason",
    )

    Certainty = Certainty

    treatment = models.ForeignKey(
        Treatment, on_delete=models.CASCADE, related_name="indication_links", help_text="The treatment."
    )
    indication = models.ForeignKey(
        Indication,
        on_delete=models.PROTECT,
        related_name="treatment_links",
        help_text="The concern, for example hair loss.",
    )
    first_course_sessions_min = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Fewest sessions in a first course. Leave blank for an option with no sessions (used at home, "
        "or doing nothing).",
    )
    first_course_sessions_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most sessions in a first course."
    )
    weeks_between_sessions_min = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Fewest weeks between sessions in the first course."
    )
    weeks_between_sessions_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most weeks between sessions in the first course."
    )
    maintenance_months_min = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Top-up sessions every this many months (lowest). Leave both blank if not known.",
    )
    maintenance_months_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Top-up sessions every this many months (highest)."
    )
    results_show_weeks_min = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weeks until results usually show (lowest). Leave both blank if no study says."
    )
    results_show_weeks_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weeks until results usually show (highest)."
    )
    results_last_months_min = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Months results last (lowest). Leave both blank if no study has measured it."
    )
    results_last_months_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Months results last (highest)."
    )
    results_last_while_used = models.BooleanField(
        "results last only while it is used",
        default=False,
        help_text="Tick if a source says the results last only while you keep using it (for example a daily "
        "medicine). Leave the months blank then.",
    )
    evidence_strength = models.PositiveSmallIntegerField(
        choices=EvidenceStrength, help_text="How good the research is for this treatment and concern."
    )
    evidence_summary = models.TextField(
        help_text="What the studies found, in two or three plain sentences, including doubts."
    )
    notes = models.TextField(
        blank=True,
        help_text="Anything else about this treatment for this concern, for example which products were studied.",
    )
    benefit_estimate = models.CharField(
        "best estimate of benefit",
        max_length=250,
        blank=True,
        help_text="The best estimate a source gives, with its unit, for example 'About 28 more hairs per square "
        "centimetre, on average'. Leave blank if no source gives a reliable number, and say why below.",
    )
    benefit_range = models.CharField(
        "range",
        max_length=200,
        blank=True,
        help_text="Where the true value may lie (the 95% confidence interval), for example 'About 14 to 41 more'.",
    )
    benefit_compared_with = models.CharField(
        "compared with",
        max_length=200,
        blank=True,
        help_text="What the treatment was compared with, for example 'A dummy treatment (placebo)'.",
    )
    benefit_time_frame = models.CharField(
        "time frame",
        max_length=200,
        blank=True,
        help_text="When it was measured, for example '6 months after the first session'. Say so if the source does "
        "not give it.",
    )
    benefit_people_per_100 = models.PositiveSmallIntegerField(
        "people out of 100 who benefit",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="How many in 100 people were better, if a source gives it. " + PER_100_HELP,
    )
    benefit_source = models.ForeignKey(
        Reference,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benefit_estimates",
        help_text="The source of the estimate. Needed when an estimate is given.",
    )
    benefit_certainty = models.CharField(
        "certainty",
        max_length=10,
        choices=Certainty,
        blank=True,
        help_text="How sure we can be of the estimate, in GRADE's words. Needed when an estimate is given.",
    )
    benefit_certainty_reason = models.CharField(
        "why this certainty",
        max_length=300,
        blank=True,
        help_text="Who rated it and why, for example 'Rated low by the review: the trials were small'.",
    )
    no_number_reason = models.TextField(
        "why there is no reliable number",
        blank=True,
        help_text="If no source gives a reliable number for the benefit, say why in one or two plain sentences.",
    )
    references = models.ManyToManyField(
        Reference,
        blank=True,
        related_name="treatment_indications",
        help_text="Sources for the numbers and the evidence summary.",
    )

    objects = TreatmentIndicationManager()
    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["indication__sort_order", "treatment__sort_order"]
        verbose_name = "treatment for a concern"
        verbose_name_plural = "treatments for each concern"
        constraints = [
            models.UniqueConstraint(fields=["treatment", "indication"], name="treatment_indication_unique"),
            *range_constraints("treatment_indication", "first_course_sessions", required=False),
            *range_constraints("treatment_indication", "weeks_between_sessions", required=False),
            models.CheckConstraint(
                condition=Q(first_course_sessions_min__isnull=True, weeks_between_sessions_min__isnull=True)
                | Q(first_course_sessions_min__isnull=False, weeks_between_sessions_min__isnull=False),
                name="treatment_indication_course_has_sessions_and_gaps",
                violation_error_message="Give both the number of sessions and the weeks between them, or neither.",
            ),
            models.CheckConstraint(
                condition=Q(results_last_while_used=False) | Q(results_last_months_min__isnull=True),
                name="treatment_indication_while_used_has_no_months",
                violation_error_message="Results that last only while it is used have no months: leave them blank.",
            ),
            *range_constraints("treatment_indication", "maintenance_months", required=False),
            *range_constraints("treatment_indication", "results_show_weeks", required=False),
            *range_constraints("treatment_indication", "results_last_months", required=False),
            choice_constraint("treatment_indication", "evidence_strength", EvidenceStrength),
            optional_choice_constraint("treatment_indication", "benefit_certainty", Certainty),
            per_100_constraint("treatment_indication", "benefit_people_per_100"),
            models.CheckConstraint(
                condition=Q(benefit_estimate="")
                | (~Q(benefit_compared_with="") & ~Q(benefit_certainty="") & Q(benefit_source__isnull=False)),
                name="treatment_indication_estimate_has_comparison_source_and_certainty",
                violation_error_message="An estimate needs what it was compared with, its source and a certainty.",
            ),
            models.CheckConstraint(
                condition=Q(benefit_people_per_100__isnull=True) | ~Q(benefit_estimate=""),
                name="treatment_indication_per_100_has_estimate",
                violation_error_message="A number out of 100 needs the estimate in words.",
            ),
        ]

    def __str__(self):
        return f"{self.treatment} for {self.indication}"

    def clean(self):
        super().clean()
        if self.treatment_id is None:
            return
        treatment = self.treatment
        has_course = self.first_course_sessions_min is not None
        if treatment.in_sessions and not has_course:
            raise ValidationError(
                {"first_course_sessions_min": "Give the first course for an option given in sessions."}
            )
        if not treatment.in_sessions and (has_course or self.maintenance_months_min is not None):
            raise ValidationError(
                {"first_course_sessions_min": "Leave the course and top-ups blank for an option with no sessions."}
            )

    @property
    def has_sessions(self):
        return self.treatment.in_sessions and self.first_course_sessions_min is not None

    def first_course_text(self):
        if not self.has_sessions:
            return " ".join(self.treatment.session_lines())
        first_course = span(self.first_course_sessions_min, self.first_course_sessions_max, "session")
        gap = span(self.weeks_between_sessions_min, self.weeks_between_sessions_max, "week")
        return f"{first_course}, {gap} apart"

    def maintenance_text(self):
        if not self.has_sessions:
            return NO_SESSIONS
        maintenance = span(self.maintenance_months_min, self.maintenance_months_max, "month")
        return f"Every {maintenance}" if maintenance else None

    def results_show_text(self):
        if self.treatment.how_used == HowUsed.NOTHING:
            return DOES_NOT_APPLY
        return span(self.results_show_weeks_min, self.results_show_weeks_max, "week")

    def results_last_text(self):
        if self.treatment.how_used == HowUsed.NOTHING:
            return DOES_NOT_APPLY
        if self.results_last_while_used:
            return WHILE_USED
        return span(self.results_last_months_min, self.results_last_months_max, "month")

    def schedule_facts(self):
        """(label, value) pairs for the schedule and results, in words."""
        not_known = NOT_KNOWN.rstrip(".")
        return [
            ("First course", self.first_course_text()),
            ("Top-up sessions", self.maintenance_text() or not_known),
            ("When results show", self.results_show_text() or not_known),
            ("How long results last", self.results_last_text() or not_known),
        ]

    def natural_key(self):
        return (*self.treatment.natural_key(), *self.indication.natural_key())

    natural_key.dependencies = ["treatments.treatment", "treatments.indication"]


class CitationTopic(models.TextChoices):
    SUMMARY = "summary", "What it is"
    HOW_IT_WORKS = "how_it_works", "How it works"
    WHAT_IS_INJECTED = "what_is_injected", "What is injected"
    SESSION = "session", "What a session is like"
    DOWNTIME = "downtime", "Downtime"
    COST = "cost", "Cost"
    LIVING_WITH = "living_with", "What living with it is like"


class ProfileCitationManager(models.Manager):
    def get_by_natural_key(self, treatment_slug, topic, reference_key):
        return self.get(treatment__slug=treatment_slug, topic=topic, reference__key=reference_key)


class ProfileCitation(models.Model):
    """Links one part of a treatment's profile to a source that backs it."""

    Topic = CitationTopic

    treatment = models.ForeignKey(
        Treatment, on_delete=models.CASCADE, related_name="citations", help_text="The treatment this belongs to."
    )
    topic = models.CharField(
        max_length=20, choices=CitationTopic, help_text="Which part of the profile this source backs."
    )
    reference = models.ForeignKey(
        Reference, on_delete=models.PROTECT, related_name="profile_citations", help_text="The source."
    )

    objects = ProfileCitationManager()
    history = HistoricalRecords(app="workflow")

    class Meta:
        ordering = ["topic", "reference__year"]
        constraints = [
            models.UniqueConstraint(fields=["treatment", "topic", "reference"], name="profile_citation_unique"),
            choice_constraint("profile_citation", "topic", CitationTopic),
        ]

    def __str__(self):
        return f"{self.get_topic_display()}: {self.reference.key}"

    def natural_key(self):
        return (*self.treatment.natural_key(), self.topic, *self.reference.natural_key())

    natural_key.dependencies = ["treatments.treatment", "treatments.reference"]
