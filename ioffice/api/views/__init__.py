"""API views, one module per topic; thin over selectors and actions."""
