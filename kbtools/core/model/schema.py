"""The front matter contract: one definition, read by the checker and by the JSON Schema export."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(str, enum.Enum):
    """The shape a front matter value must have."""

    TEXT = "text"
    TEXT_LIST = "text-list"
    CHOICE = "choice"
    CHOICE_LIST = "choice-list"
    PATH_LIST = "path-list"
    DATE = "date"
    BOOL = "bool"


AUDIENCES = ("publisher", "advertiser")
# The one audience table: how readers see each audience, as a badge and in a listing's name.
AUDIENCE_LABELS = {"publisher": "Publisher", "advertiser": "Advertiser"}
AUDIENCE_PLURALS = {"publisher": "publishers", "advertiser": "advertisers"}
VISIBILITIES = ("public", "members")


@dataclass(frozen=True)
class Field:
    """One front matter key."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    example: object = None


FIELDS: tuple[Field, ...] = (
    Field("title", Kind.TEXT, "The question the topic answers, as the visitor would ask it.",
          required=True, example="How do I reset my password?"),
    Field("audience", Kind.CHOICE_LIST, "Who the topic is for: publisher, advertiser or both.",
          required=True, choices=AUDIENCES, example=["publisher", "advertiser"]),
    Field("visibility", Kind.CHOICE, "public: on the public site. members: only for signed-in "
          "members. A topic without it is members-only.", choices=VISIBILITIES, example="public"),
    Field("summary", Kind.TEXT, "One sentence shown in listings and as the meta description.",
          example="Reset a forgotten password from the Login Help page."),
    Field("tags", Kind.TEXT_LIST, "Subject tags, shown on the topic and in tag listings.",
          example=["passwords", "login"]),
    Field("related", Kind.PATH_LIST, "Related topics, as paths relative to content/.",
          example=["accounts-and-passwords/change-password.md"]),
    Field("aliases", Kind.PATH_LIST, "Former paths of this topic, relative to content/; "
          "they become redirects.", example=["old/reset.md"]),
    Field("id", Kind.TEXT, "A stable identifier, unique across the knowledge base.",
          example="KB-0001"),
    Field("owner", Kind.TEXT, "The team that keeps the topic correct.", example="Client Support"),
    Field("updated", Kind.DATE, "When the content last changed (YYYY-MM-DD, unquoted).",
          example="2026-11-01"),
    Field("review_by", Kind.DATE, "When the topic must be reviewed again (YYYY-MM-DD, unquoted).",
          example="2027-05-01"),
    Field("draft", Kind.BOOL, "true keeps the topic out of both sites.", example=True),
    Field("featured", Kind.BOOL, "true lists the topic under the home page's most asked "
          "questions (in each site that shows it).", example=True),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
