from django.urls import path

from quiz import views, views_interview, views_quiz, views_study, views_study_pages

app_name = "quiz"
urlpatterns = [
    # The bank
    path("bank/", views.bank, name="bank"),
    path("bank/<slug:slug>/", views.card_detail, name="card_detail"),
    # Flashcard study with FSRS
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
    # Quizzes
    path("quiz/", views_quiz.quiz_start, name="quiz_start"),
    path("quiz/<int:quiz_id>/", views_quiz.quiz_detail, name="quiz_detail"),
    path("quiz/<int:quiz_id>/q/<int:number>/", views_quiz.quiz_answer_view, name="quiz_answer"),
    path("quiz/<int:quiz_id>/study/", views_quiz.quiz_study, name="quiz_study"),
    # Timed mock interviews
    path("interview/", views_interview.interview_start, name="interview_start"),
    path("interview/history/", views_interview.interview_history_view, name="interview_history"),
    path("interview/<int:interview_id>/", views_interview.interview_detail, name="interview_detail"),
    path("interview/<int:interview_id>/q/<int:number>/", views_interview.interview_answer, name="interview_answer"),
    path("interview/<int:interview_id>/q/<int:number>/draft/", views_interview.interview_draft, name="interview_draft"),
    path("interview/<int:interview_id>/finish/", views_interview.interview_finish, name="interview_finish"),
    path("interview/<int:interview_id>/report/", views_interview.interview_report_view, name="interview_report"),
    path("interview/<int:interview_id>/progress/", views_interview.interview_progress, name="interview_progress"),
    path("interview/<int:interview_id>/retry/", views_interview.interview_retry, name="interview_retry"),
    path("interview/<int:interview_id>/study/", views_interview.interview_study, name="interview_study"),
]
