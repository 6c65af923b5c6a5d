from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from .bank import choice_problems
from .models import Blueprint, Choice, Domain, Question, Reference, Tag, Topic

admin.site.site_header = "mlsprep question bank"
admin.site.site_title = "mlsprep admin"
admin.site.index_title = "Questions, topics and blueprints"


class ChoiceFormSet(BaseInlineFormSet):
    """Applies the bank files' rules to the choices typed into the admin."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        choices = [
            {
                "text": form.cleaned_data.get("text"),
                "why": form.cleaned_data.get("why"),
                "correct": form.cleaned_data.get("is_correct"),
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = choice_problems(self.instance.kind, choices)
        if problems:
            raise ValidationError([problem[0].upper() + problem[1:] + "." for problem in problems])


class ChoiceInline(admin.StackedInline):
    model = Choice
    formset = ChoiceFormSet
    fields = [("order", "is_correct"), "text", "why"]
    extra = 0
    min_num = 2

    def get_extra(self, request, obj=None, **kwargs):
        return 4 if obj is None else 0


class ReferenceInline(admin.TabularInline):
    model = Reference
    fields = ["order", "title", "url"]
    extra = 0
    max_num = 3


@admin.action(description="Publish selected questions")
def publish(modeladmin, request, queryset):
    count = queryset.update(status=Question.Status.PUBLISHED)
    modeladmin.message_user(request, f"{count} question(s) published.", messages.SUCCESS)


@admin.action(description="Retire selected questions")
def retire(modeladmin, request, queryset):
    count = queryset.update(status=Question.Status.RETIRED)
    modeladmin.message_user(request, f"{count} question(s) retired.", messages.SUCCESS)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    inlines = [ChoiceInline, ReferenceInline]
    list_display = ["external_id", "topic", "kind", "difficulty", "status", "version", "preview"]
    list_filter = ["topic__domain", "topic", "kind", "difficulty", "status", "tags"]
    search_fields = ["external_id", "stem", "tags__name"]
    filter_horizontal = ["tags"]
    readonly_fields = ["version", "preview"]
    actions = [publish, retire]
    list_select_related = ["topic"]
    fieldsets = [
        (None, {"fields": ["external_id", "topic", "kind", "difficulty", "status"]}),
        ("Content", {"fields": ["stem", "explanation", "tags", "authoring_note"]}),
        ("History", {"fields": ["version", "preview"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj.pk is None:
            return "Save the question to preview it."
        url = reverse("admin:questions_question_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview as a learner</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="questions_question_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        if not self.has_view_permission(request):
            raise admin.sites.PermissionDenied
        question = get_object_or_404(Question.objects.prefetch_related("choices"), pk=pk)
        return render(
            request,
            "questions/preview.html",
            {
                **self.admin_site.each_context(request),
                "question": question,
                "choices": [
                    {"index": i, "number": i + 1, "text": c.text}
                    for i, c in enumerate(question.choices.all())
                ],
                "required": sum(c.is_correct for c in question.choices.all()),
                "title": f"Preview {question.external_id}",
                "opts": self.model._meta,
            },
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edited = form.has_changed() or any(formset.has_changed() for formset in formsets)
        if change and edited:
            Question.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Blueprint)
class BlueprintAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "question_count", "minutes", "pass_mark", "is_default"]
    inlines = [DomainInline]


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "weight", "blueprint"]
    list_filter = ["blueprint"]
    inlines = [TopicInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "domain"]
    list_filter = ["domain__blueprint", "domain"]
    search_fields = ["code", "name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
