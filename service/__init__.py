"""jobclass HTTP service: Flask app factory, JSON API, operations endpoints."""
