from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("rounds/<int:pk>.xlsx", views.export, name="export"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.sheet, name="sheet"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
