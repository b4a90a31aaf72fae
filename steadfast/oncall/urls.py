from django.urls import path

from steadfast.oncall import views

urlpatterns = [
    path("<int:page_id>/<str:who>/<str:token>/", views.acknowledge, name="oncall_ack"),
]
