from django.contrib import admin
from django.urls import include, path

from quiz import views as quiz_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", quiz_views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", quiz_views.healthz, name="healthz"),
    path("ping", quiz_views.ping, name="ping"),
    path("", include("quiz.urls")),
]
