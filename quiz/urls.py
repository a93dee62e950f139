from django.urls import path

from quiz import views

app_name = "quiz"
urlpatterns = [
    path("bank/", views.bank, name="bank"),
    path("bank/<slug:slug>/", views.card_detail, name="card_detail"),
]

from quiz import views_study, views_study_pages  # noqa: E402  (study: flashcards with FSRS)

urlpatterns += [
    path("study/", views_study.study, name="study"),
    path("study/review/", views_study.study_review, name="study_review"),
    path("study/undo/", views_study.study_undo, name="study_undo"),
    path("study/more-new/", views_study.study_more_new, name="study_more_new"),
    path("study/card/<int:card_id>/<str:action>/", views_study.study_card_action, name="study_card_action"),
    path("study/stats/", views_study_pages.study_stats_page, name="study_stats"),
    path("study/settings/", views_study_pages.study_settings_page, name="study_settings"),
    path("study/settings/optimize/", views_study_pages.study_optimize, name="study_optimize"),
    path("study/suspended/", views_study_pages.study_suspended, name="study_suspended"),
    path("study/export/<str:kind>", views_study_pages.study_export, name="study_export"),
]
