"""OpenAPI generation for every component: the standard error responses are documented once here.

Every operation may answer 403 (not logged in — session authentication comes first, so DRF
answers 403, not 401 — or no right), operations on one object 404 (not
found, or not visible to you — the same answer, so existence is not revealed), and writes 400
(validation, each message naming its field) and 409 (optimistic-lock conflict). Components
that document a code themselves keep their own description.
"""
from drf_spectacular.openapi import AutoSchema

ERROR_BODY = {
    "type": "object",
    "description": "Felmeddelande: `detail`, eller fält → lista av meddelanden som namnger fältet.",
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Ogiltig begäran; varje meddelande namnger fältet.",
    "403": "Saknar behörighet.",
    "404": "Finns inte, eller ligger utanför din behörighet.",
    "409": "Konflikt: någon annan har ändrat objektet sedan du läste det.",
}


class AktaAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["403"]
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "409"]
        for code in codes:
            responses.setdefault(code, {
                "content": {"application/json": {"schema": ERROR_BODY}},
                "description": DESCRIPTIONS[code],
            })
        return responses
