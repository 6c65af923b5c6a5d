import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q

from questions.models import Blueprint, Question, Topic


def item_state(selected: list, required: int) -> str:
    """answered, incomplete (fewer picks than asked) or unanswered."""
    if not selected:
        return "unanswered"
    return "answered" if len(selected) >= required else "incomplete"


# Attempt.item_states keeps each state by its first letter (upper case when flagged).
STATE_BY_LETTER = {"a": "answered", "i": "incomplete", "u": "unanswered"}


class AttemptQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(state=Attempt.State.IN_PROGRESS)

    def past_deadline(self, now: datetime):
        grace = timedelta(seconds=settings.EXAM_GRACE_SECONDS)
        return self.in_progress().filter(deadline__lt=now - grace)


class Attempt(models.Model):
    class Mode(models.TextChoices):
        MOCK = "mock", "Mock exam"
        PRACTICE = "practice", "Topic practice"
        QUIZ = "quiz", "Custom quiz"
        REVIEW = "review", "Spaced review"

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        EXPIRED = "expired", "Time ran out"
        DISCARDED = "discarded", "Discarded"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    blueprint = models.ForeignKey(Blueprint, on_delete=models.PROTECT, related_name="attempts")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.MOCK)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    # What the learner sees after each answer: the key at once (practice, review, some
    # quizzes), or nothing until the attempt is submitted (mocks, the other quizzes).
    instant_feedback = models.BooleanField(default=False)
    title = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    question_count = models.PositiveSmallIntegerField()
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    domain_scores = models.JSONField(default=list, blank=True)
    # The learner set a finished mock aside ("I was interrupted"): no statistics count it.
    excluded = models.BooleanField(default=False)
    # Where the learner was, and when they last did something (for resuming and pacing).
    last_position = models.PositiveSmallIntegerField(default=1)
    last_event_at = models.DateTimeField(null=True, blank=True)
    # One letter per question in position order, rewritten with every change of an item under
    # the attempt's lock, so the exam screen draws its navigator without reading the items:
    # a(nswered), i(ncomplete) or u(nanswered), upper case when the question is flagged.
    item_states = models.TextField(blank=True, default="")

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "mode"],
                condition=Q(state="in_progress"),
                name="one_attempt_in_progress_per_mode",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["in_progress", "submitted", "expired", "discarded"]),
                name="attempt_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress", finished_at__isnull=True)
                | (~Q(state="in_progress") & Q(finished_at__isnull=False)),
                name="attempt_finished_iff_not_in_progress",
            ),
            models.CheckConstraint(
                condition=~Q(mode="mock") | Q(deadline__isnull=False),
                name="mock_attempt_has_deadline",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} #{self.pk} by {self.user}"

    @property
    def is_in_progress(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @property
    def is_expired(self) -> bool:
        return self.state == self.State.EXPIRED

    @property
    def is_scored(self) -> bool:
        """Finished and scored (submitted or expired), not discarded."""
        return self.state in (self.State.SUBMITTED, self.State.EXPIRED)

    @property
    def is_mock(self) -> bool:
        return self.mode == self.Mode.MOCK

    @property
    def is_practice(self) -> bool:
        return self.mode == self.Mode.PRACTICE

    @property
    def is_timed(self) -> bool:
        return self.deadline is not None

    @property
    def label(self) -> str:
        """How the learner knows this attempt: its title, topic or mode."""
        if self.title:
            return self.title
        if self.topic_id:
            return f"{self.get_mode_display()}: {self.topic}"
        return self.get_mode_display()

    @property
    def noun(self) -> str:
        """What the submit buttons call it: an exam for a mock, a quiz otherwise."""
        return "exam" if self.mode == self.Mode.MOCK else "quiz"

    def is_past_deadline(self, now: datetime) -> bool:
        """True once answers are no longer accepted (deadline plus the grace period)."""
        if self.deadline is None:
            return False
        return now > self.deadline + timedelta(seconds=settings.EXAM_GRACE_SECONDS)

    def seconds_left(self, now: datetime) -> int:
        return max(0, int((self.deadline - now).total_seconds())) if self.deadline else 0

    @property
    def scored_count(self) -> int:
        """Questions that were scored: all of a mock, the answered ones of a practice."""
        return sum(row["total"] for row in self.domain_scores)

    @property
    def time_used(self) -> timedelta | None:
        if self.finished_at is None:
            return None
        end = min(self.finished_at, self.deadline) if self.deadline else self.finished_at
        return end - self.started_at


class AttemptItem(models.Model):
    """One question of an attempt, frozen as it was shown: later edits never change it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, null=True, on_delete=models.SET_NULL, related_name="attempt_items"
    )
    question_version = models.PositiveIntegerField()
    external_id = models.CharField(max_length=60)
    domain_code = models.CharField(max_length=10)
    domain_name = models.CharField(max_length=200)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="attempt_items")
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    stem = models.TextField()
    explanation = models.TextField()
    # [{"title", "url"}]: the question's references when it was drawn.
    references = models.JSONField(default=list, blank=True)
    # [{"text", "correct", "why"}] in the shuffled order shown to the learner.
    choices = models.JSONField()
    selected = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    # Options the learner ruled out (indexes into choices); never an answer.
    struck = models.JSONField(default=list, blank=True)
    # How many options a full answer picks (1 for a single-answer question).
    required = models.PositiveSmallIntegerField(default=1)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    # The day a graded answer counts on for mastery (local date of the answer, or of the
    # submit for an unanswered one): stored so history is grouped by day without a cast.
    graded_on = models.DateField(null=True, blank=True)
    # Time the learner spent on this question, from their actions (each gap capped).
    seconds_spent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_item_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="item_position_from_1"),
        ]
        indexes = [models.Index(fields=["question", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position} {self.external_id}"

    @property
    def is_answered(self) -> bool:
        return bool(self.selected)

    @property
    def is_multiple(self) -> bool:
        return self.kind == Question.Kind.MULTIPLE

    @property
    def correct_indexes(self) -> set[int]:
        return {i for i, choice in enumerate(self.choices) if choice["correct"]}

    @property
    def is_incomplete(self) -> bool:
        """Some options picked, but fewer than the question asks for."""
        return 0 < len(self.selected) < self.required

    @property
    def is_complete(self) -> bool:
        return len(self.selected) >= self.required

    @property
    def state_letter(self) -> str:
        """This question's letter in its attempt's ``item_states`` (STATE_BY_LETTER)."""
        letter = item_state(self.selected, self.required)[0]
        return letter.upper() if self.flagged else letter

    def selection_problem(self, chosen: list[int]) -> str | None:
        """Why a selection does not fit this question, or None."""
        if any(i < 0 or i >= len(self.choices) for i in chosen):
            return "No such choice."
        if not self.is_multiple and len(chosen) > 1:
            return "This question takes one answer."
        if self.is_multiple and len(chosen) > self.required:
            return f"Choose at most {self.required}; your earlier selection is kept."
        return None

    def grade(self) -> bool:
        """Right only when the selected set equals the correct set; unanswered is wrong."""
        return bool(self.selected) and set(self.selected) == self.correct_indexes

    def shown_choices(self) -> list[dict]:
        """What the learner may see while the attempt is in progress: text only, no key."""
        chosen, struck = set(self.selected), set(self.struck)
        return [
            {
                "index": i,
                "number": i + 1,
                "text": c["text"],
                "selected": i in chosen,
                "struck": i in struck,
            }
            for i, c in enumerate(self.choices)
        ]


class Learner(User):
    """A learner's account as instructors see it: they may reset its password, nothing more."""

    class Meta:
        proxy = True
        permissions = [("reset_learner_password", "Can reset a learner's password")]


class ReviewCard(models.Model):
    """One question in one learner's spaced-review queue, scheduled with FSRS."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_cards")
    # fsrs.Card.to_dict(): stability, difficulty, state, last review.
    card = models.JSONField()
    due = models.DateTimeField()
    # The key the schedule was learnt on; a question whose key changed starts again.
    key_fingerprint = models.CharField(max_length=64)
    reviews = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="one_card_per_question")
        ]
        indexes = [models.Index(fields=["user", "due"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.question_id} due {self.due:%Y-%m-%d}"


def new_join_code() -> str:
    """Eight letters and digits without look-alikes (0/O, 1/I/L): easy to read out in class."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Cohort(models.Model):
    """A group of learners an instructor follows; learners join it with its code."""

    name = models.CharField(max_length=120)
    join_code = models.CharField(max_length=12, unique=True, default=new_join_code)
    end_date = models.DateField(null=True, blank=True, help_text="After it, no one can join.")
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cohorts_taught", blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="cohorts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_open(self, today) -> bool:
        return self.end_date is None or today <= self.end_date


class Membership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    joined_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="join_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"
