"""The REST API under /api/v1/: serializers and viewsets that call actions and selectors."""
