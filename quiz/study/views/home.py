"""The home page: a visitor sees the bank's introduction, a logged-in learner what to do next."""

from django.shortcuts import render

from quiz.bank.selectors import topic_list
from quiz.bank.views import home as visitor_home
from quiz.study.services.home import learner_home
from quiz.study.services.interview_plan import interview_forecast
from quiz.study.services.study import study_settings_get


def home(request):
    if not request.user.is_authenticated:
        return visitor_home(request)
    forecast = interview_forecast(user=request.user)
    context = {
        "home": learner_home(user=request.user),
        "interview": forecast,
        "topics": topic_list(),
        "tz_saved": study_settings_get(user=request.user).time_zone,
    }
    return render(request, "study/home.html", context)
