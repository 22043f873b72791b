"""healthcode: the Chalice app. It only registers blueprints; everything else is in chalicelib."""

from chalice import Chalice

from chalicelib.api import (
    admin,
    arrivals,
    auth,
    authority,
    checkins,
    checkpoints,
    family,
    holders,
    jobs,
    meta,
    pages,
    places,
    worker,
)
from chalicelib.api.logs import configure_logging

app = Chalice(app_name="healthcode")
app.api.binary_types = ["image/png", "application/pdf", *pages.BINARY_TYPES]
configure_logging(app)

for blueprint in (
    auth.bp,
    holders.bp,
    family.bp,
    checkins.bp,
    checkpoints.bp,
    admin.bp,
    authority.bp,
    meta.bp,
    jobs.bp,
    places.bp,
    arrivals.bp,
    worker.bp,
    pages.bp,
):
    app.register_blueprint(blueprint)
