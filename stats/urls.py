from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("<slug:name>.csv", views.table_csv, name="table_csv"),
    path("<slug:name>.json", views.table_json, name="table_json"),
]
