"""Scheduled functions. Chalice schedules them in AWS; `make run` runs them locally."""

from __future__ import annotations

from chalice import Blueprint

bp = Blueprint(__name__)
