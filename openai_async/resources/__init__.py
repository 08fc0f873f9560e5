"""Resource namespaces (``client.models`` and friends)."""

from .models import Models

__all__ = ["Models"]
