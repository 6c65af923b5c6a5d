"""Importing a GIFT or Moodle XML file from the admin: the form, and the load (dry run or
real) the import command shares."""

import base64
from dataclasses import replace

from django import forms
from django.db import transaction

from .bank import LoadReport, load_questions
from .interchange import FORMATS, Imported, parse
from .models import Blueprint, Question, Topic


class ImportForm(forms.Form):
    """First post: the file. Second post (after the dry run): the same bytes, and confirm."""

    file = forms.FileField(required=False)
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(required=False, widget=forms.HiddenInput)
    format = forms.ChoiceField(choices=list(FORMATS.items()))
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.filter(domain__blueprint__is_default=True),
        required=False,
        to_field_name="code",
        help_text="For questions whose category names no topic code.",
    )
    status = forms.ChoiceField(
        choices=[(Question.Status.DRAFT, "Draft"), (Question.Status.PUBLISHED, "Published")],
        initial=Question.Status.DRAFT,
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("file"):
            data["bytes"], data["name"] = data["file"].read(), data["file"].name
        elif data.get("content"):
            try:
                data["bytes"] = base64.b64decode(data["content"], validate=True)
            except ValueError as error:
                message = "The file to confirm was damaged; upload it again."
                raise forms.ValidationError(message) from error
        else:
            raise forms.ValidationError("Choose a file to import.")
        return data

    def confirmed(self) -> bool:
        return bool(self.cleaned_data["confirm"])

    def import_options(self) -> dict:
        data = self.cleaned_data
        return {
            "data": data["bytes"],
            "format": data["format"],
            "default_topic": data["topic"].code if data["topic"] else None,
            "status": data["status"],
            "source": data["name"] or "upload",
        }

    def confirm_form(self) -> "ImportForm":
        data = self.cleaned_data
        return ImportForm(
            initial={
                "content": base64.b64encode(data["bytes"]).decode(),
                "name": data["name"],
                "format": data["format"],
                "topic": data["topic"].code if data["topic"] else "",
                "status": data["status"],
                "confirm": True,
            }
        )


def import_questions(
    *, data: bytes, format: str, default_topic: str | None, status: str, source: str,
    save: bool,
) -> tuple[Imported, LoadReport]:  # fmt: skip
    """Parse and load in one transaction, rolled back unless ``save``; nothing is loaded when
    the file has any problem. Published imports need references, which these formats lack."""
    blueprint = Blueprint.objects.default()
    topics = dict(
        Topic.objects.filter(domain__blueprint=blueprint).values_list("code", "domain__code")
    )
    imported = parse(data, format=format, topics=topics, default_topic=default_topic, source=source)
    if status == Question.Status.PUBLISHED and imported.questions:
        imported.problems.append(
            "published questions need references, which GIFT and Moodle XML do not carry: "
            "import as drafts, add a reference to each, then publish"
        )
    report = LoadReport()
    if imported.problems:
        return imported, report
    with transaction.atomic():
        questions = [replace(question, status=status) for question in imported.questions]
        report = load_questions(questions, blueprint=blueprint)
        if not save:
            transaction.set_rollback(True)
    return imported, report
