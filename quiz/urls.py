from django.urls import path

from . import views

app_name = "quiz"
urlpatterns = [
    path("", views.home, name="home"),
    path("exam/start/", views.start, name="start"),
    path("mastery/", views.method, name="method"),
    path("history/", views.history, name="history"),
    path("attempts/<int:pk>/questions/<int:position>/", views.question, name="question"),
    path("attempts/<int:pk>/questions/<int:position>/answer/", views.answer, name="answer"),
    path("attempts/<int:pk>/questions/<int:position>/flag/", views.flag, name="flag"),
    path("attempts/<int:pk>/questions/<int:position>/strike/", views.strike, name="strike"),
    path("attempts/<int:pk>/questions/<int:position>/report/", views.report, name="report"),
    path("attempts/<int:pk>/finish/", views.finish, name="finish"),
    path("attempts/<int:pk>/discard/", views.discard, name="discard"),
    path("attempts/<int:pk>/exclude/", views.exclude, name="exclude"),
    path("attempts/<int:pk>/submit/", views.submit, name="submit"),
    path("attempts/<int:pk>/results/", views.results, name="results"),
    path("attempts/<int:pk>/answers/", views.review, name="review"),
    path("practice/start/", views.practice_start, name="practice_start"),
    path("quiz/new/", views.quiz_new, name="quiz_new"),
    path("review/start/", views.review_start, name="review_start"),
    path("anki/", views.anki_deck, name="anki"),
    path("cohorts/join/", views.cohort_join, name="cohort_join"),
    path("cohorts/<int:pk>/", views.cohort, name="cohort"),
    path("cohorts/<int:pk>/export.csv", views.cohort_csv, name="cohort_csv"),
    path("instructor/", views.instructor_home, name="instructor"),
    path("instructor/bank/", views.bank_report, name="bank_report"),
    path("attempts/<int:pk>/practice/<int:position>/", views.practice, name="practice"),
    path(
        "attempts/<int:pk>/practice/<int:position>/answer/",
        views.practice_answer,
        name="practice_answer",
    ),
]
