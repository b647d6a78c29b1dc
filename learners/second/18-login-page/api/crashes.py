"""Errors: a crash becomes a JSON 500, a 422 keeps only where, what and why."""

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

log = logging.getLogger("my_bookmarks")


class CrashesBecomeJson(BaseHTTPMiddleware):
    """An exception nobody caught: a general message for the client, the
    traceback for the server's log only."""

    async def dispatch(self, request: Request, call_next):
        try:
            return await call_next(request)
        except Exception:
            log.exception("Crash while answering %s %s", request.method, request.url.path)
            return JSONResponse(
                status_code=500,
                content={"detail": "Something went wrong on the server. Please try again."},
            )


async def short_422(request: Request, error: RequestValidationError):
    """FastAPI's 422 without the wrong values ("input"): NaN cannot be JSON."""
    problems = [{key: problem[key] for key in ("loc", "msg", "type")} for problem in error.errors()]
    return JSONResponse(status_code=422, content={"detail": problems})
