"""Kubernetes import: pods and nodes converted to a `Fleet` (`convert`, where the choices are listed), each
document checked first for the kind it holds (`documents`)."""

from .convert import from_kubernetes, pod_requests

__all__ = ["from_kubernetes", "pod_requests"]
