"""Errors with respond.io's body, ``{"code": <status>, "message": "..."}``, for every failure the app answers."""

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the sandbox refuses; the message says what is wrong and what to do."""

    def __init__(self, code: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers


def _error_response(
    request: Request, code: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The error body, with the headers the request earned so far (``request.state.response_headers``)."""
    earned = getattr(request.state, "response_headers", {})
    return JSONResponse({"code": code, "message": message}, status_code=code, headers={**earned, **(headers or {})})


def _describe(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return _error_response(request, exc.code, exc.message, exc.headers)


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = "; ".join(_describe(error) for error in exc.errors())
    return _error_response(request, 400, f"Invalid request: {problems}. Fix the request and send it again.")


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        message = f"No route {request.method} {request.url.path}; check the path against the API reference."
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}; check the method."
    else:
        message = str(exc.detail)
    return _error_response(request, exc.status_code, message, exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _error_response(request, 500, f"Internal error ({type(exc).__name__}); retry, and report it if it persists.")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error, FastAPI's own included, in respond.io's error shape."""
    # The decorator form registers the same handlers; unlike add_exception_handler, it is typed to accept
    # handlers of one exception class.
    app.exception_handler(ApiError)(_api_error)
    app.exception_handler(RequestValidationError)(_invalid)
    app.exception_handler(HTTPException)(_http)
    app.exception_handler(Exception)(_unexpected)
