"""Bank pages. The three quiz apps share the "quiz" URL namespace (see quizsite/urls.py), so names such as
quiz:bank, quiz:study and quiz:interview_start stay as they were."""

from django.urls import path

from quiz.bank import views

urlpatterns = [
    path("bank/", views.bank, name="bank"),
    path("bank/<slug:slug>/", views.card_detail, name="card_detail"),
]
