from django.urls import path

from conversations import views

urlpatterns = [
    path("chatwoot/", views.ChatwootWebhookView.as_view(), name="chatwoot-webhook"),
    path("chatwoot/<str:token>/", views.ChatwootWebhookView.as_view(), name="chatwoot-webhook-token"),
]
