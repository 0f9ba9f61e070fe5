"""WSGI entry point: gunicorn 'wsgi:app'."""

from wixoms import create_app

app = create_app()
