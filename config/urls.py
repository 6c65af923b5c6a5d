from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from quiz import views as quiz_views

# Password reset by e-mail is not offered: no mail is configured, so an instructor resets a
# learner's password in the admin (docs/security.md).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", quiz_views.signup, name="signup"),
    path("accounts/login/", quiz_views.log_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("healthz", quiz_views.healthz, name="healthz"),
    path("ping", quiz_views.ping, name="ping"),
    path("bench/floor/login", quiz_views.floor_login, name="floor_login"),
    path("bench/floor/page", quiz_views.floor_page, name="floor_page"),
    path("favicon.ico", quiz_views.favicon),
    path("", include("quiz.urls")),
]
