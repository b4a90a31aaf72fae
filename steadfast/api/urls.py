from django.urls import path

from steadfast.api.api import api

urlpatterns = [path("", api.urls)]
