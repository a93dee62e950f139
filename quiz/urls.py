from django.urls import path

from quiz import views

app_name = "quiz"
urlpatterns = [
    path("bank/", views.bank, name="bank"),
    path("bank/<slug:slug>/", views.card_detail, name="card_detail"),
]
