from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from quiz import views as quiz_views
from quizsite.api import api

urlpatterns = [
    path("", quiz_views.home, name="home"),
    path("", include("quiz.urls")),
    path("demos/", include("demos.urls")),
    path("accounts/signup/", quiz_views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", quiz_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
