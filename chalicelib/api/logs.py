"""Logging: one line per request (method, route template, status, time, request id). Bodies,
tokens, phone numbers and names are never logged."""

from __future__ import annotations

import logging

from chalice import Chalice

from chalicelib import config


def configure_logging(app: Chalice) -> None:
    logger = logging.getLogger("healthcode")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(config.log_level())
    app.log.setLevel(config.log_level())
