import re
from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, field_validator
from pydantic.json_schema import SkipJsonSchema

from task_service.models import ID_MAX, PROJECT_NAME_MAX_LENGTH, TASK_TITLE_MAX_LENGTH

# Text a database can store has no NUL character.
STORABLE_TEXT = r"^[^\x00]*$"
# What str.strip() removes: every character for which str.isspace() is true, spelled out (regex
# engines disagree on what `\s` means), so the OpenAPI document states exactly the rule applied.
WHITESPACE = r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

Text = Annotated[str, StringConstraints(pattern=STORABLE_TEXT)]

# Integers in a path or a query string arrive as text, which Pydantic reads leniently: " 3", "+3",
# "03", "3.0" and "3_0" would all be numbers. The OpenAPI document's integer is plain decimal
# digits, and a project has one URL, so only those are taken (anything else is a 422).
INTEGER_TEXT = re.compile(r"0|-?[1-9][0-9]*")


def _written_as_an_integer(value: object) -> object:
    if isinstance(value, str) and not INTEGER_TEXT.fullmatch(value):
        raise ValueError("must be an integer in plain decimal digits")
    return value


PlainDigits = BeforeValidator(_written_as_an_integer)


def _trimmed(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _as_sent(max_length: int) -> WithJsonSchema:
    """The document's view of trimmed text: any whitespace around 1 to ``max_length`` characters
    that start and end with a visible one (and hold no NUL)."""
    visible = rf"[^\u0000{WHITESPACE}]"
    between = r"[^\u0000]{0," + str(max_length - 2) + "}"
    pattern = rf"^[{WHITESPACE}]*{visible}(?:{between}{visible})?[{WHITESPACE}]*$"
    description = f"1 to {max_length} characters once leading and trailing whitespace is removed (it is not stored)"
    return WithJsonSchema({"type": "string", "pattern": pattern, "description": description})


# Names and titles lose their leading and trailing whitespace before they are checked, stored or
# compared: " Launch " and "Launch" are the same name, and a blank one is too short.
Trimmed = BeforeValidator(_trimmed)
ProjectName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=PROJECT_NAME_MAX_LENGTH, pattern=STORABLE_TEXT),
    Trimmed,
    _as_sent(PROJECT_NAME_MAX_LENGTH),
]
TaskTitle = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TASK_TITLE_MAX_LENGTH, pattern=STORABLE_TEXT),
    Trimmed,
    _as_sent(TASK_TITLE_MAX_LENGTH),
]
# In an update they may be omitted (left as they are) but not null, and the document offers no null.
ProjectNameChange = Annotated[ProjectName | None, _as_sent(PROJECT_NAME_MAX_LENGTH)]
TaskTitleChange = Annotated[TaskTitle | None, _as_sent(TASK_TITLE_MAX_LENGTH)]


def _not_null(value: object) -> object:
    if value is None:
        raise ValueError("may be omitted but not null")
    return value


class Input(BaseModel):
    """A request body: exactly the types its schema shows (no "yes" for true, no "1" for 1)."""

    model_config = ConfigDict(strict=True)


class ProjectCreate(Input):
    name: ProjectName
    description: Text | None = None


class ProjectUpdate(Input):
    name: ProjectNameChange = None
    description: Text | None = None

    _name_not_null = field_validator("name")(_not_null)


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    created_at: datetime


class TaskCreate(Input):
    title: TaskTitle
    done: bool = False


class TaskUpdate(Input):
    title: TaskTitleChange = None
    done: bool | SkipJsonSchema[None] = None

    _not_null = field_validator("title", "done")(_not_null)


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    title: str
    done: bool


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int


class Pagination(BaseModel):
    limit: Annotated[int, PlainDigits] = Field(20, ge=1, le=100, description="Items on the page, at most")
    # No table holds more rows than there are ids.
    offset: Annotated[int, PlainDigits] = Field(0, ge=0, le=ID_MAX, description="Items skipped before the page")


class Health(BaseModel):
    """What ``/health`` answers while the service can serve."""

    status: Literal["ok"] = Field(description="The database answers and has every table the routes use")


class ErrorMessage(BaseModel):
    """The body of every error except 422: what went wrong, for a person to read."""

    detail: str
