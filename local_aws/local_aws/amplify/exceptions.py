"""Amplify errors, named and numbered as botocore's Amplify model names and numbers them."""

from __future__ import annotations


class AmplifyServiceError(Exception):
    code = "InternalFailureException"
    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequestException(AmplifyServiceError):
    code = "BadRequestException"
    status = 400


class UnauthorizedException(AmplifyServiceError):
    code = "UnauthorizedException"
    status = 401


class NotFoundException(AmplifyServiceError):
    code = "NotFoundException"
    status = 404


class ResourceNotFoundException(AmplifyServiceError):
    code = "ResourceNotFoundException"
    status = 404


class LimitExceededException(AmplifyServiceError):
    code = "LimitExceededException"
    status = 429


class InternalFailureException(AmplifyServiceError):
    code = "InternalFailureException"
    status = 500


class DependentServiceFailureException(AmplifyServiceError):
    code = "DependentServiceFailureException"
    status = 503


BY_CODE = {cls.code: cls for cls in AmplifyServiceError.__subclasses__()}


def unmodeled(code: str, status: int) -> type[AmplifyServiceError]:
    """An error class for a code Amplify's model does not name (TooManyRequestsException from a front end)."""
    return type(code, (AmplifyServiceError,), {"code": code, "status": status})

COMPUTE_ROLE_NOT_ASSUMABLE = (
    "The compute role provided cannot be assumed by Amplify. "
    "Please verify the role exists and has the correct trust relationship"
)
