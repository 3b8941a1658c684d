from django.urls import path

import startups.converters  # noqa: F401 (registers the content_slug converter)
from members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("<content_slug:slug>/", views.member_detail, name="member_detail"),
]
