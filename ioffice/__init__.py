"""The ioffice project and its web layer.

Settings read from ``IOFFICE_*`` environment variables (:mod:`ioffice.config`), the URL map, WSGI/ASGI
entry points, health endpoints, the pages (``ioffice.web``) and the REST API (``ioffice.api``). Views
here are thin: they parse input, call an action or a selector from the apps below, and map domain
errors to HTTP statuses. Nothing below imports this package.
"""
