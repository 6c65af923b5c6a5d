from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import path

from .models import Learner


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
