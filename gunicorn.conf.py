"""gunicorn reads this file from the working directory (make serve, the browser tests)."""

from gunicorn.http import wsgi

# The Server header names the product, not the server software behind it.
wsgi.SERVER = "mlsprep"
