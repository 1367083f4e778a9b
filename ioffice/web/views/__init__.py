"""Page views, one module per topic; thin over actions and selectors."""
