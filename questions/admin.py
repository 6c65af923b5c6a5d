from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OrderBy, Q
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .bank import choice_problems
from .importing import ImportForm, import_questions
from .models import (
    Blueprint,
    Choice,
    Domain,
    ItemStatistic,
    Question,
    Reference,
    Report,
    Tag,
    Topic,
)

admin.site.site_header = "mlsprep question bank"
# The question list needs the width: the home page and breadcrumbs lead everywhere already.
admin.site.enable_nav_sidebar = False
admin.site.site_title = "mlsprep admin"
admin.site.index_title = "Questions, topics and blueprints"


class ChoiceFormSet(BaseInlineFormSet):
    """Applies the bank files' rules to the choices typed into the admin; new rows are
    numbered after the existing ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        taken = self.initial_form_count()
        new_rows = max(self.min_num, taken) + self.extra - taken
        self.initial_extra = [{"order": taken + n} for n in range(new_rows)]

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


class ChoiceForm(forms.ModelForm):
    class Meta:
        model = Choice
        fields = ["order", "is_correct", "text", "why"]
        widgets = {
            "order": forms.NumberInput(attrs={"class": "choice-order", "min": 0, "size": 2}),
            "text": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "why": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }


class ChoiceInline(admin.TabularInline):
    """Choices in a compact table; their order is numbered for you and moved with ↑ ↓."""

    model = Choice
    form = ChoiceForm
    formset = ChoiceFormSet
    extra = 0
    min_num = 2

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 0  # with the two required: four rows for a new question


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


class TagFilter(admin.SimpleListFilter):
    """Filter by one tag, typed with autocomplete (a datalist), not a 300-line sidebar list."""

    title = "tag"
    parameter_name = "tag"
    template = "admin/questions/tag_filter.html"

    def lookups(self, request, model_admin):
        return [(name, name) for name in Tag.objects.values_list("name", flat=True)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__name=self.value())
        return queryset


class OpenReportsFilter(admin.SimpleListFilter):
    title = "learner reports"
    parameter_name = "reports"

    def lookups(self, request, model_admin):
        return [("open", "With open reports")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(open_reports__gt=0)
        return queryset


class ItemFlagFilter(admin.SimpleListFilter):
    """Questions the item analysis flagged: any flag, or one of them."""

    title = "item analysis"
    parameter_name = "item_flag"

    def lookups(self, request, model_admin):
        return [("flagged", "Any flag"), *ItemStatistic.Flag.choices]

    def queryset(self, request, queryset):
        if self.value() == "flagged":
            any_flag = Q()
            for flag in ItemStatistic.Flag.values:
                any_flag |= Q(**{f"item_statistic__{flag}": True})
            return queryset.filter(any_flag)
        if self.value() in ItemStatistic.Flag.values:
            return queryset.filter(**{f"item_statistic__{self.value()}": True})
        return queryset


class UnanalysedLast(OrderBy):
    """A column's order that keeps questions without statistics last, either way round."""

    def __init__(self, field: str):
        super().__init__(F(field), nulls_last=True)

    def reverse_ordering(self):
        self.descending = not self.descending
        return self


def may_view_item_statistics(request) -> bool:
    return request.user.has_perm("questions.view_itemstatistic")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    inlines = [ChoiceInline, ReferenceInline]
    list_display = [
        "external_id", "excerpt", "topic_code", "kind_short", "difficulty", "status", "version",
        "open_reports", "preview",
    ]  # fmt: skip
    list_display_links = ["external_id", "excerpt"]
    list_filter = ["status", "topic__domain", "topic", "kind", "difficulty", OpenReportsFilter,
                   TagFilter]  # fmt: skip
    search_fields = ["external_id", "stem", "tags__name"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["version", "preview", "item_analysis"]
    actions = [publish, retire]
    list_select_related = ["topic", "item_statistic"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["external_id", "topic", "kind", "difficulty", "status"]}),
        ("Content", {"fields": ["stem", "explanation", "tags", "authoring_note"]}),
        ("History", {"fields": ["version", "preview"]}),
    ]

    # Flags are filters here (and in full on the question page): the list keeps to 1280 px.
    item_statistic_columns = ["facility", "discrimination"]

    class Media:
        css = {"all": ["questions/admin.css"]}
        js = ["questions/admin-choices.js"]

    def get_list_display(self, request):
        if may_view_item_statistics(request):
            at = self.list_display.index("preview")
            return [*self.list_display[:at], *self.item_statistic_columns, *self.list_display[at:]]
        return self.list_display

    def get_list_filter(self, request):
        if may_view_item_statistics(request):
            return [*self.list_filter, ItemFlagFilter]
        return self.list_filter

    def get_fieldsets(self, request, obj=None):
        if obj is not None and may_view_item_statistics(request):
            return [*self.fieldsets, ("Item analysis", {"fields": ["item_analysis"]})]
        return self.fieldsets

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(open_reports=Count("reports", filter=Q(reports__status__in=Report.OPEN)))
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description="Stem")
    def excerpt(self, obj):
        return Truncator(obj.stem).words(12)

    @admin.display(description="Topic", ordering="topic__code")
    def topic_code(self, obj):
        return obj.topic.code

    @admin.display(description="Kind", ordering="kind")
    def kind_short(self, obj):
        return "Multiple" if obj.kind == Question.Kind.MULTIPLE else "Single"

    @admin.display(description="Reports", ordering="open_reports")
    def open_reports(self, obj):
        return obj.open_reports or ""

    @staticmethod
    def _statistic(obj) -> ItemStatistic | None:
        try:
            return obj.item_statistic
        except ItemStatistic.DoesNotExist:
            return None

    def _figure(self, obj, name: str) -> str:
        stat = self._statistic(obj)
        value = getattr(stat, name, None)
        if value is None:
            return "–"
        if stat.is_stale(obj):
            return f"{value:.2f} (v{stat.question_version})"
        return f"{value:.2f}"

    @admin.display(description="Facility", ordering=UnanalysedLast("item_statistic__facility"))
    def facility(self, obj):
        return self._figure(obj, "facility")

    @admin.display(
        description="Discrimination", ordering=UnanalysedLast("item_statistic__discrimination")
    )
    def discrimination(self, obj):
        return self._figure(obj, "discrimination")

    @admin.display(description="Item analysis")
    def item_analysis(self, obj):
        """Every figure of the item analysis, with each version's option counts."""
        stat = self._statistic(obj) if obj.pk else None
        return render_to_string(
            "admin/questions/item_statistic.html",
            {"stat": stat, "question": obj, "stale": stat is not None and stat.is_stale(obj)},
        )

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj.pk is None:
            return "Save the question to preview it."
        url = reverse("admin:questions_question_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="questions_question_preview",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="questions_question_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import a GIFT or Moodle XML file: upload, read the dry run, then confirm."""
        if not self.has_add_permission(request):
            raise admin.sites.PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import questions",
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            imported, report = import_questions(**form.import_options(), save=form.confirmed())
            if form.confirmed() and not imported.problems:
                self.message_user(
                    request,
                    f"{len(report.created)} created, {len(report.updated)} updated, "
                    f"{len(report.unchanged)} unchanged, {len(imported.skipped)} skipped.",
                    messages.SUCCESS,
                )
                return redirect("admin:questions_question_changelist")
            context.update(imported=imported, report=report, confirm=form.confirm_form())
        return render(request, "admin/questions/question/import.html", context)

    def preview_view(self, request, pk):
        """The question as a learner sees it during an exam, or on its review (key, whys,
        explanation, references)."""
        if not self.has_view_permission(request):
            raise admin.sites.PermissionDenied
        question = get_object_or_404(
            Question.objects.select_related("topic").prefetch_related("choices", "references"),
            pk=pk,
        )
        review = request.GET.get("view") == "review"
        return render(
            request,
            "questions/preview.html",
            {
                **self.admin_site.each_context(request),
                "question": question,
                "review": review,
                "choices": [
                    {
                        "index": i,
                        "number": i + 1,
                        "text": c.text,
                        "correct": c.is_correct,
                        "why": c.why,
                    }
                    for i, c in enumerate(question.choices.all())
                ],  # fmt: skip
                "required": sum(c.is_correct for c in question.choices.all()),
                "title": f"Preview {question.external_id}",
                "opts": self.model._meta,
            },
        )

    def save_model(self, request, obj, form, change):
        if change:
            before = Question.objects.prefetch_related("choices", "references").get(pk=obj.pk)
            obj._content_before = before.content()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """A new version only when what learners read changed (stem, choices, key, why,
        explanation, references), not for a status, tag or difficulty edit."""
        super().save_related(request, form, formsets, change)
        question = form.instance
        if change:
            after = Question.objects.prefetch_related("choices", "references").get(pk=question.pk)
            if after.content() != question._content_before:
                Question.objects.filter(pk=question.pk).update(version=F("version") + 1)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Learners' problem reports: triage (accept, reject, fixed) with a reply they will see."""

    list_display = ["question", "reason", "status", "created_at", "user"]
    list_filter = ["status", "reason"]
    list_select_related = ["question", "user"]
    search_fields = ["question__external_id", "text"]
    readonly_fields = ["question_link", "user", "question_version", "reason", "text", "created_at"]
    fields = ["question_link", "user", "question_version", "reason", "text", "created_at",
              "status", "reply"]  # fmt: skip

    def has_add_permission(self, request):
        return False

    @admin.display(description="Question")
    def question_link(self, obj):
        url = reverse("admin:questions_question_change", args=[obj.question_id])
        return format_html('<a href="{}">{}</a>', url, obj.question)


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
