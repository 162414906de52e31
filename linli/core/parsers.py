"""The API's request parsers (settings REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Its own module: core.api imports rest_framework.views, which reads the parser setting."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested deeper than Python's recursion limit (`[` × 5000)
    refused as unreadable: the `parse_error` 400 of core.api.exception_handler, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON nested too deeply") from None
