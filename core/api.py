from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def exception_handler(exc, context):
    """Map domain errors to JSON `{"error": ...}`; everything else as DRF does, reshaped to the same key."""
    if isinstance(exc, DomainError):
        return Response({"error": exc.message, "code": exc.code}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": str(response.data["detail"])}
    elif response is not None and response.status_code >= status.HTTP_400_BAD_REQUEST:
        response.data = {"error": response.data}
    return response
