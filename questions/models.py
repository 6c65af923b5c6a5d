from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

EXTERNAL_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_REFERENCES = 3
# Where a question's references may point: primary sources only (AWS documentation first,
# then papers and the documentation of the libraries a concept comes from).
REFERENCE_HOSTS = frozenset(
    {
        "docs.aws.amazon.com",
        "aws.amazon.com",
        "sagemaker.readthedocs.io",
        "scikit-learn.org",
        "xgboost.readthedocs.io",
        "pytorch.org",
        "docs.pytorch.org",
        "www.tensorflow.org",
        "keras.io",
        "spark.apache.org",
        "pandas.pydata.org",
        "numpy.org",
        "imbalanced-learn.org",
        "www.statsmodels.org",
        "arxiv.org",
        "proceedings.neurips.cc",
        "papers.nips.cc",
        "proceedings.mlr.press",
        "www.jmlr.org",
        "jmlr.org",
        "aclanthology.org",
        "dl.acm.org",
        "developers.google.com",
        "www.deeplearningbook.org",
    }
)


def reference_url_problem(url: str) -> str | None:
    """Why a reference URL is refused, or None: https, on a host of REFERENCE_HOSTS."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return f"reference {url!r} is not an https URL"
    if parts.hostname not in REFERENCE_HOSTS:
        return f"reference host {parts.hostname} is not an allowed source (REFERENCE_HOSTS)"
    return None


def validate_reference_url(url: str) -> None:
    problem = reference_url_problem(url)
    if problem:
        raise ValidationError(problem[0].upper() + problem[1:] + ".")


class BlueprintQuerySet(models.QuerySet):
    def default(self) -> "Blueprint | None":
        """The blueprint behind "Start full mock exam", or None before one is set."""
        return self.filter(is_default=True).first()


class Blueprint(models.Model):
    """The shape of an exam: its domains and their weights, length, time and pass mark."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    question_count = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField()
    score_min = models.PositiveSmallIntegerField(default=100)
    score_max = models.PositiveSmallIntegerField(default=1000)
    pass_mark = models.PositiveSmallIntegerField(default=750)
    is_default = models.BooleanField(
        default=False, help_text="The blueprint behind “Start full mock exam”."
    )
    notice = models.TextField(
        blank=True,
        help_text="The exam's status for learners (for example, retired), shown on the landing "
        "page and before a mock starts. Plain text; a blank line starts a paragraph.",
    )

    objects = BlueprintQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_blueprint"
            ),
            models.CheckConstraint(
                condition=Q(score_min__lt=models.F("score_max"))
                & Q(pass_mark__gte=models.F("score_min"))
                & Q(pass_mark__lte=models.F("score_max")),
                name="blueprint_score_scale_is_ordered",
            ),
            models.CheckConstraint(
                condition=Q(question_count__gt=0) & Q(minutes__gt=0),
                name="blueprint_has_length_and_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def pace_seconds(self) -> float:
        """The exam's pace: seconds a question when the time is spread evenly."""
        return self.minutes * 60 / self.question_count


class Domain(models.Model):
    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField(help_text="Share of the exam, in percent.")

    class Meta:
        ordering = ["blueprint", "code"]
        constraints = [
            models.UniqueConstraint(fields=["blueprint", "code"], name="unique_domain_code"),
            models.CheckConstraint(condition=Q(weight__lte=100), name="domain_weight_is_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Topic(models.Model):
    """A task statement of the exam guide, such as 3.2 “Select the appropriate model”."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="topics")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["domain__blueprint", "code"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="unique_topic_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Question.Status.PUBLISHED)

    def in_topic(self, topic):
        return self.filter(topic=topic)

    def in_blueprint(self, blueprint):
        return self.filter(topic__domain__blueprint=blueprint)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Multiple choice (one answer)"
        MULTIPLE = "multiple", "Multiple response (two or more answers)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    external_id = models.CharField(
        "ID",
        max_length=60,
        unique=True,
        validators=[RegexValidator(EXTERNAL_ID_PATTERN, "Use lower-case words joined by hyphens.")],
        help_text="Stable forever, e.g. mod-select-014. Never reuse an ID.",
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    stem = models.TextField(help_text="The scenario and the ask (short Markdown).")
    explanation = models.TextField(help_text="The fact this question tests.")
    difficulty = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="1 recall · 2 apply · 3 trade-off between close options.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    authoring_note = models.TextField(
        blank=True,
        help_text="Where the facts came from, what was checked, doubts. Instructors only.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["external_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__gte=1) & Q(difficulty__lte=3),
                name="question_difficulty_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple"]), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "retired"]),
                name="question_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "topic"])]

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_multiple(self) -> bool:
        return self.kind == self.Kind.MULTIPLE

    def choice_list(self) -> list[dict]:
        """The choices as bank files, exports and frozen attempt items hold them."""
        return [{"text": c.text, "correct": c.is_correct, "why": c.why} for c in self.choices.all()]

    def reference_list(self) -> list[dict]:
        return [{"title": r.title, "url": r.url} for r in self.references.all()]

    def content(self) -> tuple:
        """What a learner reads: a change here, and only here, makes a new version."""
        return (self.stem, self.explanation, self.choice_list(), self.reference_list())


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.TextField()
    is_correct = models.BooleanField("correct", default=False)
    why = models.TextField(help_text="Why this option is right, or why it is wrong here.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Reference(models.Model):
    """A primary source a learner can open to check the key (shown as "Learn more")."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="references")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500, validators=[validate_reference_url])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.title


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Report.OPEN)


class Report(models.Model):
    """A learner's report of a problem with a question, triaged by instructors."""

    class Reason(models.TextChoices):
        WRONG_KEY = "wrong_key", "The marked answer is wrong"
        UNCLEAR = "unclear", "The question is unclear"
        OUTDATED = "outdated", "Outdated (the service has changed)"
        TYPO = "typo", "A typo or broken wording"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        FIXED = "fixed", "Fixed"

    OPEN = (Status.NEW, Status.ACCEPTED)

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_reports"
    )
    question_version = models.PositiveIntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    text = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    reply = models.TextField(
        blank=True, help_text="The learner sees this on the question's review."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=Q(status__in=["new", "accepted"]),
                name="one_open_report_per_learner_and_question",
            )
        ]

    def __str__(self) -> str:
        return f"{self.question} · {self.get_reason_display()} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ItemStatistic(models.Model):
    """How a question behaved in finished full mocks (classical item analysis) for its current
    version: written by quiz.item_analysis.refresh, read by instructors in the admin."""

    class Flag(models.TextChoices):
        TOO_EASY = "too_easy", "Too easy"
        TOO_HARD = "too_hard", "Too hard"
        LOW_DISCRIMINATION = "low_discrimination", "Low or negative discrimination"
        UNUSED_DISTRACTOR = "unused_distractor", "A distractor nobody picked"

    question = models.OneToOneField(
        Question, on_delete=models.CASCADE, primary_key=True, related_name="item_statistic"
    )
    # The version these figures describe; the question may have been edited since.
    question_version = models.PositiveIntegerField()
    n = models.PositiveIntegerField("learners", default=0)
    facility = models.FloatField(null=True, blank=True, help_text="Share who answered right.")
    discrimination = models.FloatField(
        null=True,
        blank=True,
        help_text="Corrected point-biserial: the item's score against the rest of the mock.",
    )
    upper_lower = models.FloatField(
        "upper-lower index",
        null=True,
        blank=True,
        help_text="Facility in the top 27 % by the rest of the mock minus the bottom 27 %.",
    )
    mean_seconds = models.FloatField(null=True, blank=True)
    median_seconds = models.FloatField(null=True, blank=True)
    too_easy = models.BooleanField(default=False)
    too_hard = models.BooleanField(default=False)
    low_discrimination = models.BooleanField(default=False)
    unused_distractor = models.BooleanField(default=False)
    # [{"version", "n", "omitted", "options": [{"text", "correct", "count"}]}], newest first.
    option_counts = models.JSONField(default=list, blank=True)
    # Flags are raised only from this many learners on.
    min_n = models.PositiveIntegerField(default=30)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["question"]
        constraints = [
            models.CheckConstraint(
                condition=Q(facility__isnull=True) | Q(facility__gte=0, facility__lte=1),
                name="item_statistic_facility_is_share",
            )
        ]

    def __str__(self) -> str:
        return f"{self.question} v{self.question_version} (n={self.n})"

    @property
    def flags(self) -> list[str]:
        return [flag for flag in self.Flag.values if getattr(self, flag)]

    @property
    def flag_labels(self) -> list[str]:
        return [self.Flag(flag).label for flag in self.flags]

    def is_stale(self, question: Question) -> bool:
        """The question was edited after these figures were computed."""
        return self.question_version != question.version
