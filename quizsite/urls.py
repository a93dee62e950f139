from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from quiz.bank import urls as bank_urls
from quiz.bank import views as quiz_views
from quiz.exams import urls as exams_urls
from quiz.exercises import urls as exercises_urls
from quiz.study import urls as study_urls
from quiz.study.views import home as home_views
from quizsite.api import api

urlpatterns = [
    path("", home_views.home, name="home"),  # a visitor gets quiz_views.home
    # bank, study, exams and exercises share the "quiz" namespace: URL names did not change when quiz/ was split
    path(
        "",
        include(
            (
                bank_urls.urlpatterns + study_urls.urlpatterns + exams_urls.urlpatterns + exercises_urls.urlpatterns,
                "quiz",
            )
        ),
    ),
    path("demos/", include("demos.urls")),
    path("accounts/signup/", quiz_views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", quiz_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
