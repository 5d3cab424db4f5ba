from django.urls import path

from console.playground import views

app_name = "playground"

urlpatterns = [
    path("", views.playground_page, name="page"),
    path("messages/", views.playground_messages, name="messages"),
    path("send/", views.playground_send, name="send"),
    path("new-contact/", views.playground_new_contact, name="new-contact"),
]
