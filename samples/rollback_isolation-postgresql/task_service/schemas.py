from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from task_service.models import ID_MAX, PROJECT_NAME_MAX_LENGTH, TASK_TITLE_MAX_LENGTH

# Text a database can store has no NUL character; names and titles also need a character
# that is not blank. The patterns spell their characters out (regex engines disagree on
# what `\s` means), so the OpenAPI document tells clients and test tools exactly the rules.
STORABLE_TEXT = r"^[^\x00]*$"
VISIBLE_TEXT = r"^[^\x00]*[^\x00\t\n\x0b\x0c\r ][^\x00]*$"

Text = Annotated[str, StringConstraints(pattern=STORABLE_TEXT)]
ProjectName = Annotated[str, StringConstraints(min_length=1, max_length=PROJECT_NAME_MAX_LENGTH, pattern=VISIBLE_TEXT)]
TaskTitle = Annotated[str, StringConstraints(min_length=1, max_length=TASK_TITLE_MAX_LENGTH, pattern=VISIBLE_TEXT)]


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
    # Omitted fields are left as they are; a null name is refused (and not offered by the schema).
    name: ProjectName | SkipJsonSchema[None] = None
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
    title: TaskTitle | SkipJsonSchema[None] = None
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
    limit: int = Field(20, ge=1, le=100)
    # No table holds more rows than there are ids.
    offset: int = Field(0, ge=0, le=ID_MAX)


class ErrorMessage(BaseModel):
    """The body of every error except 422: what went wrong, for a person to read."""

    detail: str
