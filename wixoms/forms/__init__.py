"""Flask-WTF forms, one module per view family."""
