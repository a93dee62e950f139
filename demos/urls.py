from django.urls import path

from demos import views

app_name = "demos"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/", views.run_history, name="run_history"),
    path("runs/<uuid:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<uuid:run_id>/panel", views.run_panel, name="run_panel"),
    path("runs/<uuid:run_id>/result", views.run_result, name="run_result"),
    path("runs/<uuid:run_id>/cancel", views.run_cancel, name="run_cancel"),
    path("<slug:slug>/", views.demo_detail, name="detail"),
    path("<slug:slug>/run", views.run_create, name="run_create"),
]
