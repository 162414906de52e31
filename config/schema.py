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
