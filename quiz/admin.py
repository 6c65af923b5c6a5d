from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from django.urls import path, reverse
from django.utils.html import format_html

from .models import Cohort, Learner


@admin.register(Learner)
class LearnerAdmin(UserAdmin):
    """Learners (never staff) for instructors: find one, and reset a forgotten password."""

    list_display = ["username", "date_joined", "last_login", "is_active"]
    list_filter = ["is_active"]
    fieldsets = [(None, {"fields": ["username", "password", "date_joined", "last_login"]})]
    readonly_fields = ["username", "date_joined", "last_login"]

    def get_urls(self):
        return [
            path(
                "<id>/password/",
                self.admin_site.admin_view(self.user_change_password),
                name="quiz_learner_password_change",
            ),
            *admin.ModelAdmin.get_urls(self),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_staff=False, is_superuser=False)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("quiz.reset_learner_password")

    def has_view_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    """Instructors see and edit only the cohorts they teach; whoever creates one teaches it."""

    list_display = ["name", "join_code", "end_date", "member_count", "page"]
    fields = ["name", "end_date", "join_code", "instructors"]
    readonly_fields = ["join_code"]
    filter_horizontal = ["instructors"]

    def get_queryset(self, request):
        cohorts = super().get_queryset(request).annotate(member_count=Count("members"))
        if request.user.is_superuser:
            return cohorts
        return cohorts.filter(instructors=request.user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "instructors":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.instructors.add(request.user)

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    @admin.display(description="Progress")
    def page(self, obj):
        return format_html(
            '<a href="{}">Open cohort page</a>', reverse("quiz:cohort", args=[obj.pk])
        )
