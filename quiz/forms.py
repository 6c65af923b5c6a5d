"""Every input a learner sends, validated before a service sees it."""

import re

from django import forms

from questions.models import Blueprint, Domain, Report, Topic

from .drawing import Source
from .models import Attempt, AttemptItem

MAX_CHOICES = 6
GO_PATTERN = re.compile(r"^(prev|next|review|stay|[0-9]{1,4})?$")


class AnswerForm(forms.Form):
    """A selection for one question, and where a plain form post goes next.

    ``position`` repeats the question's number: a body that lost its fields (a malformed
    upload) must not read as "clear my answer".
    """

    position = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.TypedMultipleChoiceField(coerce=int, required=False)
    go = forms.CharField(required=False, max_length=6)

    def __init__(self, *args, item: AttemptItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["choice"].choices = [(i, str(i)) for i in range(len(item.choices))]

    def clean_position(self):
        if self.cleaned_data["position"] != self.item.position:
            raise forms.ValidationError("This answer belongs to another question.")
        return self.cleaned_data["position"]

    def clean_choice(self):
        chosen = sorted(set(self.cleaned_data["choice"]))
        problem = self.item.selection_problem(chosen)
        if problem:
            raise forms.ValidationError(problem)
        return chosen

    def clean_go(self):
        go = self.cleaned_data["go"]
        if not GO_PATTERN.match(go):
            raise forms.ValidationError("Unknown destination.")
        return go

    def target(self, attempt: Attempt) -> int | str | None:
        """The question number to show next, "review" for the review screen, or None when
        the number is outside the exam."""
        go, position = self.cleaned_data["go"], self.item.position
        if go == "review":
            return "review"
        target = {"prev": position - 1, "next": position + 1, "": position, "stay": position}.get(
            go
        )
        if target is None:
            target = int(go)
        return target if 1 <= target <= attempt.question_count else None


class FlagForm(forms.Form):
    flagged = forms.TypedChoiceField(choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1")


class PracticeStartForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.none(), error_messages={"invalid_choice": "Choose a topic."}
    )

    def __init__(self, *args, blueprint: Blueprint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(
            domain__blueprint=blueprint
        ).select_related("domain__blueprint")


class ReviewFilterForm(forms.Form):
    SHOW = {
        "all": "All",
        "incorrect": "Incorrect",
        "unanswered": "Unanswered",
        "flagged": "Flagged",
    }
    show = forms.ChoiceField(choices=list(SHOW.items()), required=False)
    domain = forms.ChoiceField(required=False)
    topic = forms.ChoiceField(required=False)

    def __init__(self, *args, domains: list[tuple[str, str]], topics: list[tuple], **kwargs):
        """``topics``: (code, label, domain code) of each topic the attempt holds."""
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "All domains"), *domains]
        self.fields["topic"].choices = [("", "All topics")] + [(c, label) for c, label, _ in topics]
        self.topic_domain = {code: domain for code, _, domain in topics}

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        domain, topic = data.get("domain", ""), data.get("topic", "")
        if domain and topic and self.topic_domain[topic] != domain:
            topic = ""  # a topic of another domain: the domain chosen last wins
        return {"show": data.get("show") or "all", "domain": domain, "topic": topic}


class SubmitForm(forms.Form):
    """Submitting asks first: without ``confirm`` the confirmation page answers. The countdown
    sends ``timed_out`` at zero."""

    confirm = forms.BooleanField(required=False)
    timed_out = forms.BooleanField(required=False)


class DiscardForm(forms.Form):
    confirm = forms.BooleanField(required=False)


class ExcludeForm(forms.Form):
    excluded = forms.TypedChoiceField(choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1")


class StrikeForm(forms.Form):
    """Strike one option out, or restore one: exactly one of the two."""

    strike = forms.IntegerField(required=False, min_value=0, max_value=MAX_CHOICES - 1)
    restore = forms.IntegerField(required=False, min_value=0, max_value=MAX_CHOICES - 1)

    def clean(self):
        data = super().clean()
        chosen = [name for name in ("strike", "restore") if data.get(name) is not None]
        if len(chosen) != 1:
            raise forms.ValidationError("Strike out or restore one option.")
        data["option"], data["struck"] = data[chosen[0]], chosen[0] == "strike"
        return data


class ReviewScreenForm(forms.Form):
    show = forms.ChoiceField(
        choices=[("all", "All"), ("unanswered", "Unanswered"), ("incomplete", "Incomplete"),
                 ("flagged", "Flagged")],
        required=False,
    )  # fmt: skip


class QuizForm(forms.Form):
    """Build a quiz: domains and/or topics, length, timed or not, feedback now or at the end,
    and which questions (any, missed, flagged, unseen)."""

    domains = forms.ModelMultipleChoiceField(
        queryset=Domain.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    length = forms.IntegerField(min_value=5, max_value=65, initial=20, label="Questions")
    timed = forms.BooleanField(required=False, label="Timed at the exam's pace")
    feedback = forms.ChoiceField(
        choices=[("end", "At the end, like the exam"), ("now", "After each question")],
        initial="end",
        widget=forms.RadioSelect,
        label="Show answers",
    )
    source = forms.ChoiceField(
        choices=Source.CHOICES, initial=Source.ALL, label="Draw from", widget=forms.RadioSelect
    )
    from_attempt = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, blueprint: Blueprint, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.blueprint, self.user = blueprint, user
        self.fields["domains"].queryset = blueprint.domains.all()
        self.fields["topics"].queryset = Topic.objects.filter(domain__blueprint=blueprint)

    def clean_from_attempt(self):
        pk = self.cleaned_data["from_attempt"]
        if pk is None:
            return None
        attempt = Attempt.objects.filter(user=self.user, pk=pk).exclude(
            state=Attempt.State.IN_PROGRESS
        )
        if not attempt.exists():
            raise forms.ValidationError("No such finished attempt of yours.")
        return attempt.get()

    def topic_ids(self) -> list[int]:
        """The chosen topics and every topic of the chosen domains; all when none is chosen."""
        data = self.cleaned_data
        ids = {t.pk for t in data["topics"]}
        ids |= set(Topic.objects.filter(domain__in=data["domains"]).values_list("pk", flat=True))
        if not ids:
            ids = set(self.fields["topics"].queryset.values_list("pk", flat=True))
        return sorted(ids)

    def title(self) -> str:
        data = self.cleaned_data
        named = {
            Source.MISSED: "Retake my missed",
            Source.FLAGGED: "Retake my flagged",
            Source.UNSEEN: "Only unseen",
        }.get(data["source"])
        if named:
            return named
        if data["timed"] and data["length"] == 20 and not (data["domains"] or data["topics"]):
            return "Quick 20 (timed)"
        scope = ", ".join(d.name for d in data["domains"]) or ", ".join(
            t.code for t in data["topics"]
        )
        return f"Quiz of {data['length']}" + (f": {scope}" if scope else "")


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "text"]
        labels = {"reason": "What is wrong?", "text": "Details (optional)"}
        widgets = {"reason": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 3})}


class JoinCohortForm(forms.Form):
    code = forms.CharField(max_length=12, label="Cohort code")


class AnkiForm(forms.Form):
    """Which deck: a topic the learner has seen, or (no topic) their missed questions."""

    topic = forms.ModelChoiceField(
        queryset=Topic.objects.none(), required=False, to_field_name="code"
    )

    def __init__(self, *args, blueprint: Blueprint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(domain__blueprint=blueprint)
