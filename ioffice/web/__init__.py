"""Pages: Django templates + HTMX, thin views over actions and selectors."""
