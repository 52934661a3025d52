from datetime import datetime

from sqlalchemy import Computed, DateTime, ForeignKey, Index, MetaData, String, Text, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names, so migrations can drop and alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PROJECT_NAME_MAX_LENGTH = 100
TASK_TITLE_MAX_LENGTH = 200
# Ids are INTEGER columns: 32-bit, so no row has a larger one.
ID_MAX = 2**31 - 1
# Every table is created with these (as the migrations create them).
TABLE_OPTIONS = {"mariadb_charset": "utf8mb4", "mariadb_collate": "utf8mb4_bin"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        # A name is unique among live projects only: deleting one frees its name. With no partial
        # indexes, `live_name` holds the name while the project is live (NULL once it is deleted),
        # and a unique index lets any number of rows be NULL.
        Index("uq_projects_live_name", "live_name", unique=True),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(PROJECT_NAME_MAX_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    live_name: Mapped[str | None] = mapped_column(
        String(PROJECT_NAME_MAX_LENGTH), Computed("CASE WHEN deleted_at IS NULL THEN name END")
    )

    tasks: Mapped[list["Task"]] = relationship(back_populates="project", order_by="Task.id")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (TABLE_OPTIONS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TASK_TITLE_MAX_LENGTH))
    done: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    project: Mapped[Project] = relationship(back_populates="tasks")
