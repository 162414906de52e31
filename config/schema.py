"""OpenAPI wiring that belongs to no single app (imported by config.api_urls)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes linli.accounts.authentication.BearerTokenAuthentication in the schema."""

    target_class = "linli.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Authorization: Bearer <token> (POST /api/v1/auth/login/ or manage.py issue_token).",
        }


# -- the error responses every operation can give ------------------------------------------------

ERROR_REF = {"$ref": "#/components/schemas/ApiError"}
WHY = {
    "400": "invalid input: `code` \"invalid\" with `fields`, or `parse_error` for a body that is not JSON",
    "401": "not signed in, or the token is revoked or expired",
    "403": "not allowed, or `csrf_failed` for a session without its CSRF token",
    "404": "no such object, or outside your role or scope",
    "406": "the Accept header asks for something other than JSON",
    "415": "the Content-Type of the body is not one the operation reads",
}


def _error(description):
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def document_error_responses(result, generator, request, public):
    """Postprocessing hook: add the uniform error responses (linli.core.api) an operation can
    give and does not document itself, so clients and the contract tests see all of them.
    What a view documents (its own description, 409, 429) is kept as it is."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            needed = {"406"}
            if parameters or "requestBody" in operation:
                needed.add("400")
            if "requestBody" in operation:
                needed.add("415")
            if any(parameter["in"] == "path" for parameter in parameters):
                needed.add("404")
            if any(requirement for requirement in operation.get("security", [])):  # [{}] is "no sign-in"
                needed |= {"401", "403"}
            for code in sorted(needed - set(responses)):
                responses[code] = _error(WHY[code])
    return result
