from django.urls import path

from steadfast.checkout import views

app_name = "checkout"
urlpatterns = [
    path("", views.contact, name="contact"),
    path("delivery/", views.delivery, name="delivery"),
    path("point/", views.point, name="point"),
    path("address/", views.address, name="address"),
    path("payment/", views.payment, name="payment"),
    path("review/", views.review, name="review"),
    path("place/", views.place, name="place"),
]
