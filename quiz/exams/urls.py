"""Quizzes and timed mock interviews."""

from django.urls import path

from quiz.exams.views import interview, quiz

urlpatterns = [
    path("quiz/", quiz.quiz_start, name="quiz_start"),
    path("quiz/<int:quiz_id>/", quiz.quiz_detail, name="quiz_detail"),
    path("quiz/<int:quiz_id>/q/<int:number>/", quiz.quiz_answer_view, name="quiz_answer"),
    path("quiz/<int:quiz_id>/q/<int:number>/grade/", quiz.quiz_grade_status, name="quiz_grade_status"),
    path("quiz/<int:quiz_id>/q/<int:number>/grade/retry/", quiz.quiz_grade_retry, name="quiz_grade_retry"),
    path("quiz/<int:quiz_id>/match/", quiz.quiz_match_pair, name="quiz_match_pair"),
    path("quiz/<int:quiz_id>/study/", quiz.quiz_study, name="quiz_study"),
    path("interview/", interview.interview_start, name="interview_start"),
    path("interview/history/", interview.interview_history_view, name="interview_history"),
    path("interview/<int:interview_id>/", interview.interview_detail, name="interview_detail"),
    path("interview/<int:interview_id>/open/", interview.interview_open, name="interview_open"),
    path("interview/<int:interview_id>/q/<int:number>/", interview.interview_answer, name="interview_answer"),
    path("interview/<int:interview_id>/q/<int:number>/draft/", interview.interview_draft, name="interview_draft"),
    path("interview/<int:interview_id>/finish/", interview.interview_finish, name="interview_finish"),
    path("interview/<int:interview_id>/report/", interview.interview_report_view, name="interview_report"),
    path("interview/<int:interview_id>/progress/", interview.interview_progress, name="interview_progress"),
    path("interview/<int:interview_id>/retry/", interview.interview_retry, name="interview_retry"),
    path("interview/<int:interview_id>/study/", interview.interview_study, name="interview_study"),
    path("interview/<int:interview_id>/schedule/", interview.interview_schedule, name="interview_schedule"),
    path(
        "interview/<int:interview_id>/a/<int:answer_id>/point/<int:index>/",
        interview.interview_contest_view,
        name="interview_contest",
    ),
]
