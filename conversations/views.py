from rest_framework.response import Response
from rest_framework.views import APIView


class ChatwootWebhookView(APIView):
    """Placeholder until the ingestion work lands (issue #2)."""

    def post(self, request, token=None):
        return Response({"status": "ignored", "reason": "not implemented"})
