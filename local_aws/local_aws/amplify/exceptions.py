"""Amplify errors, named and numbered as botocore's Amplify model names and numbers them."""

from __future__ import annotations


class AmplifyError(Exception):
    code = "InternalFailureException"
    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequestException(AmplifyError):
    code = "BadRequestException"
    status = 400


class UnauthorizedException(AmplifyError):
    code = "UnauthorizedException"
    status = 401


class NotFoundException(AmplifyError):
    code = "NotFoundException"
    status = 404


class ResourceNotFoundException(AmplifyError):
    code = "ResourceNotFoundException"
    status = 404


class LimitExceededException(AmplifyError):
    code = "LimitExceededException"
    status = 429


class InternalFailureException(AmplifyError):
    code = "InternalFailureException"
    status = 500


class DependentServiceFailureException(AmplifyError):
    code = "DependentServiceFailureException"
    status = 503


BY_CODE = {cls.code: cls for cls in AmplifyError.__subclasses__()}


def unmodeled(code: str, status: int) -> type[AmplifyError]:
    """An error class for a code Amplify's model does not name (TooManyRequestsException from a front end)."""
    return type(code, (AmplifyError,), {"code": code, "status": status})

COMPUTE_ROLE_NOT_ASSUMABLE = (
    "The compute role provided cannot be assumed by Amplify. "
    "Please verify the role exists and has the correct trust relationship"
)
